using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Security;

/// <summary>
/// A served portal says who its peer is (address, ASP.NET Core user, admission's properties), and the admission's opened
/// callback gives the portal its own actors before the peer can look anything up.
/// </summary>
public sealed class PortalIdentityTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private RemoteSide _server = null!;
    private Nexus _client = null!;

    public Task InitializeAsync()
    {
        _server = RemoteSide.Create("identity-server");
        _client = Nexus.Create(Sys);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task WebSocket_PortalCarriesTheAuthenticatedUser_TheAddress_AndTheAdmissionsProperties_AndItsOpenedCallbackPublishesFirst()
    {
        var builder = KestrelWormhole.CreateBuilder();
        await using var app = builder.Build();
        app.Use((context, next) =>
        {
            // Stands in for an authentication handler: the user the request was authenticated as.
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, context.Request.Headers["X-User"].ToString())], "test"));
            return next(context);
        });
        app.UseWebSockets();
        var opened = new TaskCompletionSource<Portal>(TaskCreationOptions.RunContinuationsAsynchronously);
        var own = CreateTestProbe(_server.System);
        app.MapWormhole("/ws", _server.Nexus, context => ValueTask.FromResult(PortalAdmission.Accept()
            .WithProperty("tenant", context.Request.Headers["X-Tenant"].ToString())
            .OnOpened(portal =>
            {
                portal.Publish("own", ActorRef<Ping>.From(own.Ref));
                opened.TrySetResult(portal);
            })));
        await app.StartAsync().WaitAsync(Bounds.Long);

        var client = await _client.ConnectAsync(Conduit.WebSocket(app.WebSocketUri(), options =>
        {
            options.SetRequestHeader("X-User", "alice");
            options.SetRequestHeader("X-Tenant", "acme");
        })).WaitAsync(Bounds.Long);
        (await client.LookupAsync<Ping>("own").WaitAsync(Bounds.Long)).Tell(new Ping { N = 7 }); // published in the callback, found at once

        Assert.Equal(7, (await own.ExpectMsgAsync<Ping>(Bounds.Long)).N);
        var served = await opened.Task.WaitAsync(Bounds.Long);
        Assert.Equal("alice", served.User?.Identity?.Name);
        Assert.Equal("acme", served.Properties["tenant"]);
        var address = Assert.IsType<IPEndPoint>(served.RemoteEndPoint);
        Assert.Equal(IPAddress.Loopback, address.Address.MapToIPv4());
        Assert.InRange(address.Port, 1, 65535);
        Assert.Null(client.RemoteEndPoint); // this side connected: its peer is where it connected to
        Assert.Null(client.User);
        Assert.Empty(client.Properties);
        await app.StopAsync().WaitAsync(Bounds.Long);
    }

    [Fact]
    public async Task Tcp_PortalCarriesThePeersAddress_ALookupSentWithTheHandshakeFindsWhatTheOpenedCallbackPublished()
    {
        var opened = new TaskCompletionSource<Portal>(TaskCreationOptions.RunContinuationsAsynchronously);
        var own = CreateTestProbe(_server.System);
        await using var listener = await _server.Nexus.ListenTcpAsync(
            new IPEndPoint(IPAddress.Loopback, 0),
            peer => ValueTask.FromResult(PortalAdmission.Accept().WithProperty("peer", peer).OnOpened(portal =>
            {
                portal.Publish("own", ActorRef<Ping>.From(own.Ref));
                opened.TrySetResult(portal);
            })));

        for (var i = 0; i < 20; i++)
        {
            var client = await _client.ConnectAsync(Conduit.Tcp(listener.LocalEndPoint)).WaitAsync(Bounds.Long);
            (await client.LookupAsync<Ping>("own").WaitAsync(Bounds.Long)).Tell(new Ping { N = i });
            Assert.Equal(i, (await own.ExpectMsgAsync<Ping>(Bounds.Long)).N);
            await client.CloseAsync().WaitAsync(Bounds.Long);
        }

        var served = await opened.Task.WaitAsync(Bounds.Long);
        Assert.Equal(served.Properties["peer"], served.RemoteEndPoint);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)served.RemoteEndPoint!).Address);
    }

    [Fact]
    public async Task OpenedCallbackThatThrows_ClosesThePortalWithAGoodbyeNamingIt()
    {
        await using var listener = await _server.Nexus.ListenTcpAsync(
            new IPEndPoint(IPAddress.Loopback, 0),
            _ => ValueTask.FromResult(PortalAdmission.Accept().OnOpened(_ => throw new InvalidOperationException("no room for you"))));

        var client = await _client.ConnectAsync(Conduit.Tcp(listener.LocalEndPoint)).WaitAsync(Bounds.Long);
        var reason = await client.Completion.WaitAsync(Bounds.Long);

        Assert.Equal(PortalCloseKind.ClosedByPeer, reason.Kind);
        Assert.Contains("opened callback failed", reason.Message);
    }
}
