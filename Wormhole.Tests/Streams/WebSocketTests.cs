using System.Net;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams;

/// <summary>
/// What only WebSockets have (the shared scenarios are in <see cref="WebSocketPortalTests"/>): the TestKit's system (client)
/// and a server behind a real Kestrel on 127.0.0.1, over real WebSockets:
/// <see cref="Conduit.WebSocket(Uri)"/> on one side, <see cref="WormholeEndpointRouteBuilderExtensions.MapWormhole(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder, string, Nexus)"/> on the other.
/// </summary>
public sealed class WebSocketTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private const int ServerFrameLimit = 64 * 1024;

    private readonly List<PortalEvent> _serverEvents = [];
    private RemoteSide _server = null!;
    private IDisposable _serverEventsSubscription = null!;
    private WebApplication _app = null!;
    private bool _appStopped;
    private Uri _uri = null!;
    private Nexus _client = null!;
    private Portal _clientPortal = null!;

    public async Task InitializeAsync()
    {
        _server = RemoteSide.Create("ws-server", new NexusOptions { MaxFrameBytes = ServerFrameLimit });
        _serverEventsSubscription = _server.Nexus.Events.Subscribe(e => { lock (_serverEvents) { _serverEvents.Add(e); } });
        _server.Nexus.Publish("blobs", BlobActor(_server.System));
        _app = await KestrelWormhole.StartAsync(_server.Nexus);
        _uri = _app.WebSocketUri();
        _client = Nexus.Create(Sys);
        _clientPortal = await _client.ConnectAsync(Conduit.WebSocket(_uri)).WaitAsync(Bounds.Long);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await StopServerAsync();
        await _app.DisposeAsync();
        _serverEventsSubscription.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task WebSocket_ServerAppStops_ProxiesTerminate_PendingAsksFailAtOnce_ClientPortalSaysWhy()
    {
        var (proxy, asking, akkaAsking) = await PendingAsksAsync();

        var stoppedAt = DateTime.UtcNow;
        var stopping = StopServerAsync();

        var error = await Assert.ThrowsAsync<PortalClosedException>(() => asking.WaitAsync(Bounds.Long));
        await Assert.ThrowsAsync<PortalClosedException>(() => akkaAsking.WaitAsync(Bounds.Long));
        Assert.True(DateTime.UtcNow - stoppedAt < TimeSpan.FromSeconds(1), $"asks failed {(DateTime.UtcNow - stoppedAt).TotalMilliseconds:N0} ms after the server began to stop");
        Assert.Equal(PortalCloseKind.ClosedByPeer, error.Reason.Kind);
        ExpectTerminated(proxy.Untyped, Bounds.Long);
        var reason = await _clientPortal.Completion.WaitAsync(Bounds.Long);
        Assert.Equal(PortalCloseKind.ClosedByPeer, reason.Kind);
        Assert.Contains("the server is shutting down", reason.Message);
        await stopping.WaitAsync(Bounds.Long); // the request ended with its portal: Kestrel did not wait for its shutdown timeout
        Assert.Empty(_server.Nexus.Portals);
    }

    [Fact]
    public async Task WebSocket_ServerPortalCloses_ProxiesTerminate_PendingAsksFailAtOnce_ClientPortalSaysWhy()
    {
        var serverPortal = await ServerPortalAsync();
        var (proxy, asking, akkaAsking) = await PendingAsksAsync();

        var closedAt = DateTime.UtcNow;
        await serverPortal.CloseAsync().WaitAsync(Bounds.Long);

        var error = await Assert.ThrowsAsync<PortalClosedException>(() => asking.WaitAsync(Bounds.Long));
        await Assert.ThrowsAsync<PortalClosedException>(() => akkaAsking.WaitAsync(Bounds.Long));
        Assert.True(DateTime.UtcNow - closedAt < TimeSpan.FromSeconds(1), $"asks failed {(DateTime.UtcNow - closedAt).TotalMilliseconds:N0} ms after the close");
        Assert.Equal(PortalCloseKind.ClosedByPeer, error.Reason.Kind);
        ExpectTerminated(proxy.Untyped, Bounds.Long);
        Assert.Equal(PortalCloseKind.ClosedByPeer, (await _clientPortal.Completion.WaitAsync(Bounds.Long)).Kind);
    }

    [Fact]
    public async Task WebSocket_ClientPortalCloses_ServerPortalClosedByPeer()
    {
        var serverPortal = await ServerPortalAsync();

        var reason = await _clientPortal.CloseAsync().WaitAsync(Bounds.Long);

        Assert.Equal(PortalCloseKind.ClosedLocally, reason.Kind);
        Assert.Equal(PortalCloseKind.ClosedByPeer, (await serverPortal.Completion.WaitAsync(Bounds.Long)).Kind);
        AwaitAssert(() => { lock (_serverEvents) { Assert.Contains(_serverEvents, e => e is PortalEvent.Closed c && c.Portal == serverPortal); } }, Bounds.Long);
    }

    [Fact]
    public async Task WebSocket_PlainHttpGet_Gets400()
    {
        using var http = new HttpClient();

        var response = await http.GetAsync(new UriBuilder(_uri) { Scheme = "http" }.Uri).WaitAsync(Bounds.Long);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("WebSocket requests only", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WebSocket_UnknownPath_ConnectFailsWithTheHttpStatus()
    {
        var error = await Assert.ThrowsAsync<PortalClosedException>(
            () => _client.ConnectAsync(Conduit.WebSocket(new UriBuilder(_uri) { Path = "/nothing-here" }.Uri)).WaitAsync(Bounds.Long));

        Assert.Equal(PortalCloseKind.ConduitFailed, error.Reason.Kind);
        Assert.Contains("404", error.Message);
    }

    [Fact]
    public void WebSocket_HttpScheme_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Conduit.WebSocket(new Uri("http://127.0.0.1:1/ws")));

        Assert.Contains("ws://", error.Message);
    }

    [Fact]
    public async Task WebSocket_ReplyOverTheClientsLimit_IsRefusedByTheServer_BothPortalsStayOpen()
    {
        const int clientLimit = 1024;
        var before = await ServerPortalAsync();
        await using var small = Nexus.Create(Sys, new NexusOptions { MaxFrameBytes = clientLimit });
        var portal = await small.ConnectAsync(Conduit.WebSocket(_uri)).WaitAsync(Bounds.Long);
        var blobs = await portal.LookupAsync<Blob>("blobs").WaitAsync(Bounds.Long);
        AwaitAssert(() => Assert.Equal(2, _server.Nexus.Portals.Count), Bounds.Long);
        var serverPortal = _server.Nexus.Portals.Single(p => p != before);

        var replies = CreateTestProbe();
        blobs.Tell(new Blob { ReplySize = 4096, ReplyTo = ActorRef<Blob>.From(replies.Ref) });

        // The server knows the client's limit from its Hello: the reply never reaches the wire, the server counts it.
        AwaitAssert(() => Assert.Equal(1, serverPortal.Counters.Dropped), Bounds.Long);
        replies.ExpectNoMsg(Bounds.Short);
        Assert.True(portal.IsOpen);
        Assert.True(serverPortal.IsOpen);
        blobs.Tell(new Blob { ReplySize = 10, ReplyTo = ActorRef<Blob>.From(replies.Ref) });
        Assert.Equal(10, replies.ExpectMsg<Blob>(Bounds.Long).Data!.Length);
    }

    [Fact]
    public async Task WebSocket_MessageOverTheServersLimit_FailsAtTheSender_BothPortalsStayOpen()
    {
        var serverPortal = await ServerPortalAsync();
        var blobs = await _clientPortal.LookupAsync<Blob>("blobs").WaitAsync(Bounds.Long);

        blobs.Tell(new Blob { Data = new byte[ServerFrameLimit + 1000] }, TestActor);

        var refused = ExpectMsg<Akka.Actor.Status.Failure>(Bounds.Long).Cause;
        var limit = Assert.IsType<LimitExceededException>(refused);
        Assert.Equal(nameof(NexusOptions.MaxFrameBytes), limit.Limit);
        Assert.Contains($"{ServerFrameLimit:N0}", limit.Message); // the peer's limit, from its Hello
        Assert.Equal(1, _clientPortal.Counters.Dropped);
        Assert.True(_clientPortal.IsOpen);
        Assert.True(serverPortal.IsOpen);
    }

    private static ActorRef<Blob> BlobActor(ActorSystem system) => FnActor.Spawn<Blob>(system, async ctx =>
    {
        await foreach (var blob in ctx.Messages)
        {
            blob.ReplyTo?.Tell(new Blob { Data = new byte[blob.ReplySize] });
        }
    });

    private async Task StopServerAsync()
    {
        if (!_appStopped)
        {
            _appStopped = true;
            await _app.StopAsync().WaitAsync(Bounds.Long);
        }
    }

    /// <summary>The server's end of <see cref="_clientPortal"/> (the only portal the server has at the start of a test).</summary>
    private async Task<Portal> ServerPortalAsync()
    {
        Portal? portal = null;
        await AwaitAssertAsync(() => portal = Assert.Single(_server.Nexus.Portals), Bounds.Long);
        return portal!;
    }

    /// <summary>Two asks the server never answers (a reply-port ask and an Akka ask) that have reached the server, and their proxy, watched.</summary>
    private async Task<(ActorRef<Square> Proxy, Task<int> Asking, Task<int> AkkaAsking)> PendingAsksAsync()
    {
        var silent = CreateTestProbe(_server.System);
        _server.Nexus.Publish("silent", ActorRef<Square>.From(silent.Ref));
        var proxy = await _clientPortal.LookupAsync<Square>("silent").WaitAsync(Bounds.Long);
        Watch(proxy.Untyped);
        var asking = proxy.Ask<int>(port => new Square { Value = 2, Reply = port }, TimeSpan.FromSeconds(60));
        var akkaAsking = proxy.Ask<int>(new Square { Value = 3 }, TimeSpan.FromSeconds(60));
        silent.ExpectMsg<Square>(Bounds.Long);
        silent.ExpectMsg<Square>(Bounds.Long);
        return (proxy, asking, akkaAsking);
    }
}
