using System.Net;
using Microsoft.AspNetCore.Builder;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Security;

/// <summary>The server decides about each connection before its portal opens: reject it, or accept it with its own actors and limits.</summary>
public sealed class AdmissionTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private RemoteSide _server = null!;
    private Nexus _client = null!;

    public Task InitializeAsync()
    {
        _server = RemoteSide.Create("admission-server");
        _server.Nexus.Publish("echo", ActorRef<Ping>.From(CreateTestProbe(_server.System).Ref));
        _client = Nexus.Create(Sys);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task WebSocket_AdmissionSeesTheRequest_AdminsGetTheAdminActor_OthersDoNot_BannedAreRefusedWith403()
    {
        var admin = CreateTestProbe(_server.System);
        var builder = KestrelWormhole.CreateBuilder();
        await using var app = builder.Build();
        app.UseWebSockets();
        var nexus = _server.Nexus;
        var adminActor = ActorRef<Ping>.From(admin.Ref);
        // snippet: admission
        app.MapWormhole("/ws", nexus, context => ValueTask.FromResult(context.Request.Headers["X-Role"].ToString() switch
        {
            "banned" => PortalAdmission.Reject("banned users may not connect"),                 // 403, no portal
            "admin" => PortalAdmission.Accept().Publish("admin", adminActor),                   // this portal only
            _ => PortalAdmission.Accept(new NexusOptions { MaxInboundFramesPerSecond = 100 }), // its own limits
        }));
        // end snippet
        await app.StartAsync().WaitAsync(Bounds.Long);
        var uri = app.WebSocketUri();
        Conduit As(string role) => Conduit.WebSocket(uri, options => options.SetRequestHeader("X-Role", role));

        var adminPortal = await _client.ConnectAsync(As("admin")).WaitAsync(Bounds.Long);
        var userPortal = await _client.ConnectAsync(As("user")).WaitAsync(Bounds.Long);
        var refused = await Assert.ThrowsAsync<PortalClosedException>(() => _client.ConnectAsync(As("banned")).WaitAsync(Bounds.Long));

        var adminProxy = await adminPortal.LookupAsync<Ping>("admin").WaitAsync(Bounds.Long); // visible from the first frame
        adminProxy.Tell(new Ping { N = 1 });
        Assert.Equal(1, (await admin.ExpectMsgAsync<Ping>(Bounds.Long)).N);
        await Assert.ThrowsAsync<PublicationNotFoundException>(() => userPortal.LookupAsync<Ping>("admin").WaitAsync(Bounds.Long));
        await userPortal.LookupAsync<Ping>("echo").WaitAsync(Bounds.Long); // nexus-wide names still reach everyone
        Assert.Contains("403", refused.Message);
        await app.StopAsync().WaitAsync(Bounds.Long);
    }

    [Fact]
    public async Task Tcp_AdmissionSeesThePeersAddress_RejectedConnectionsGetNoPortal_AcceptedOnesTheirOwnLimits()
    {
        var decisions = 0;
        var seen = new List<EndPoint>();
        await using var listener = await _server.Nexus.ListenTcpAsync(
            new IPEndPoint(IPAddress.Loopback, 0),
            peer =>
            {
                lock (seen)
                {
                    seen.Add(peer);
                }

                return ValueTask.FromResult(Interlocked.Increment(ref decisions) == 1
                    ? PortalAdmission.Reject("the first caller is turned away")
                    : PortalAdmission.Accept(new NexusOptions { MaxUnknownRequests = 0 }));
            });

        var refused = await Assert.ThrowsAsync<PortalClosedException>(() => _client.ConnectAsync(Conduit.Tcp(listener.LocalEndPoint)).WaitAsync(Bounds.Long));
        var portal = await _client.ConnectAsync(Conduit.Tcp(listener.LocalEndPoint)).WaitAsync(Bounds.Long);

        Assert.Equal(PortalCloseKind.ClosedByPeer, refused.Reason.Kind); // a Goodbye for good, saying why
        Assert.True(refused.Reason.Final);
        Assert.Equal("the peer said goodbye for good: the connection was refused: the first caller is turned away", refused.Reason.Message);
        await AwaitAssertAsync(() => Assert.Single(_server.Nexus.Portals), Bounds.Long);
        lock (seen)
        {
            Assert.All(seen, peer => Assert.Equal(IPAddress.Loopback, ((IPEndPoint)peer).Address));
        }

        await Assert.ThrowsAsync<PortalClosedException>(() => portal.LookupAsync<Ping>("nobody").WaitAsync(Bounds.Long)); // its own limit: no unknown names at all
        Assert.Contains("MaxUnknownRequests", (await portal.Completion.WaitAsync(Bounds.Long)).Message);
    }

    [Fact]
    public async Task Unix_AdmissionDecidesPerConnection_RejectedConnectionsGetNoPortal_AcceptedOnesTheirOwnActorsAndLimits()
    {
        var folder = Directory.CreateTempSubdirectory("wh-");
        try
        {
            var decisions = 0;
            var own = CreateTestProbe(_server.System);
            await using var listener = await _server.Nexus.ListenUnixAsync(
                Path.Combine(folder.FullName, "admit.sock"),
                peer => ValueTask.FromResult(Interlocked.Increment(ref decisions) == 1
                    ? PortalAdmission.Reject("the first caller is turned away")
                    : PortalAdmission.Accept(new NexusOptions { MaxUnknownRequests = 0 }).Publish("own", ActorRef<Ping>.From(own.Ref))));

            var refused = await Assert.ThrowsAsync<PortalClosedException>(() => _client.ConnectAsync(Conduit.UnixSocket(listener.Path)).WaitAsync(Bounds.Long));
            var portal = await _client.ConnectAsync(Conduit.UnixSocket(listener.Path)).WaitAsync(Bounds.Long);

            Assert.Equal(PortalCloseKind.ClosedByPeer, refused.Reason.Kind);
            Assert.True(refused.Reason.Final);
            Assert.Contains("the first caller is turned away", refused.Reason.Message);
            await AwaitAssertAsync(() => Assert.Single(_server.Nexus.Portals), Bounds.Long);
            (await portal.LookupAsync<Ping>("own").WaitAsync(Bounds.Long)).Tell(new Ping { N = 5 });
            own.ExpectMsg<Ping>(p => p.N == 5, Bounds.Long);
            await Assert.ThrowsAsync<PortalClosedException>(() => portal.LookupAsync<Ping>("nobody").WaitAsync(Bounds.Long)); // its own limit: no unknown names at all
            Assert.Contains("MaxUnknownRequests", (await portal.Completion.WaitAsync(Bounds.Long)).Message);
            Assert.Equal(2, decisions);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Tcp_AdmissionThatThrows_RefusesTheConnection_TheListenerKeepsServing()
    {
        var calls = 0;
        await using var listener = await _server.Nexus.ListenTcpAsync(
            new IPEndPoint(IPAddress.Loopback, 0),
            _ => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("the user store is down") : ValueTask.FromResult(PortalAdmission.Accept()));

        await Assert.ThrowsAsync<PortalClosedException>(() => _client.ConnectAsync(Conduit.Tcp(listener.LocalEndPoint)).WaitAsync(Bounds.Long));
        var portal = await _client.ConnectAsync(Conduit.Tcp(listener.LocalEndPoint)).WaitAsync(Bounds.Long);

        await portal.LookupAsync<Ping>("echo").WaitAsync(Bounds.Long);
    }
}
