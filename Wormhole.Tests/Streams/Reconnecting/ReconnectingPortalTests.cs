using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Reconnecting;

/// <summary>
/// A client that reconnects: over real TCP to two servers standing in for two nodes, it goes on through the other when
/// its server goes, says what it does for a UI, looks names up again in one line, and stops where the rule says.
/// </summary>
public sealed class ReconnectingPortalTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Quick = TimeSpan.FromMilliseconds(20);
    private readonly AsyncDisposables _disposables = new();
    private Nexus _client = null!;

    public Task InitializeAsync()
    {
        _client = Nexus.Create(Sys);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _disposables.DisposeAsync();
    }

    [Fact]
    public async Task ServerSaysGoodbye_TheClientReconnectsToTheNextEndpoint_TheOldProxyFails_TheLookupHelperHandsANewOne()
    {
        var (nodeA, listenerA) = await StartNodeAsync("node-a", 1);
        var (_, listenerB) = await StartNodeAsync("node-b", 2);
        var states = new List<ConnectionState>();
        await using var connection = await _client.ConnectAsync(new ReconnectPolicy(Conduit.Tcp(listenerA.LocalEndPoint), Conduit.Tcp(listenerB.LocalEndPoint)) { InitialDelay = Quick }).WaitAsync(Bounds.Long);
        using var watching = connection.States.Subscribe(state => { lock (states) { states.Add(state); } });
        var proxies = connection.Lookup<Square>("square").Replay();
        using var looking = proxies.Connect();
        var first = await proxies.FirstAsync().ToTask().WaitAsync(Bounds.Long);
        Assert.Equal(1 * 3, await first.Ask<int>(port => new Square { Value = 3, Reply = port }, Bounds.Long)); // node A multiplies by 1

        await nodeA.DisposeAsync(); // a Goodbye to its clients, as a node that shuts down

        var second = await proxies.Skip(1).FirstAsync().ToTask().WaitAsync(Bounds.Long);
        Assert.Equal(2 * 3, await second.Ask<int>(port => new Square { Value = 3, Reply = port }, Bounds.Long)); // node B
        await Assert.ThrowsAsync<PortalClosedException>(() => first.Ask<int>(port => new Square { Value = 3, Reply = port }, Bounds.Long));
        lock (states)
        {
            Assert.Collection(
                states,
                state => Assert.False(Assert.IsType<ConnectionState.Connected>(state).Reconnected),
                state =>
                {
                    var reconnecting = Assert.IsType<ConnectionState.Reconnecting>(state);
                    Assert.Equal(1, reconnecting.Attempt);
                    Assert.Equal(PortalCloseKind.ClosedByPeer, reconnecting.Reason.Kind);
                    Assert.InRange(reconnecting.Delay, Quick * 0.8, Quick);
                },
                state => Assert.True(Assert.IsType<ConnectionState.Connected>(state).Reconnected));
        }

        Assert.Same(connection.Current, ((ConnectionState.Connected)connection.State).Portal);
    }

    [Fact]
    public async Task ConnectAsync_ReturnsWithTheOpenPortalAsCurrent_EveryTime()
    {
        var (_, listener) = await StartNodeAsync("node-current", 1);

        // The state used to change just after ConnectAsync's task completed: a caller on another thread could read
        // Current (null) in between, as the chat client once did under load. Connects in parallel on a busy pool give the
        // race its chances.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
            {
                await using var connection = await _client.ConnectAsync(new ReconnectPolicy(Conduit.Tcp(listener.LocalEndPoint))).WaitAsync(Bounds.Long);
                Assert.NotNull(connection.Current);
                Assert.IsType<ConnectionState.Connected>(connection.State);
            }
        }))).WaitAsync(Bounds.Long * 2);
    }

    [Fact]
    public async Task AskPendingWhenTheConnectionIsLost_FailsWithPortalClosed()
    {
        var silent = CreateTestProbe(); // answers nothing: the ask is still pending when the server goes
        var node = RemoteSide.Create("node-silent");
        node.Nexus.Publish("silent", ActorRef<Square>.From(silent.Ref));
        var listener = await node.Nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
        await using var connection = await _client.ConnectAsync(new ReconnectPolicy(Conduit.Tcp(listener.LocalEndPoint)) { InitialDelay = Quick }).WaitAsync(Bounds.Long);
        var proxy = await connection.Current!.LookupAsync<Square>("silent").WaitAsync(Bounds.Long);
        var pending = proxy.Ask<int>(port => new Square { Value = 1, Reply = port }, Bounds.Long);
        await silent.ExpectMsgAsync<Square>(Bounds.Long);

        await listener.DisposeAsync();
        await node.DisposeAsync();

        await Assert.ThrowsAsync<PortalClosedException>(() => pending);
    }

    [Fact]
    public async Task NothingListens_AfterMaxAttemptsTheFirstConnectFails_WithTheLastAttemptsReason()
    {
        var closedPort = Conduit.Tcp(new IPEndPoint(IPAddress.Loopback, FreePort.Tcp()));
        var policy = new ReconnectPolicy(closedPort) { InitialDelay = Quick, Factor = 2, Jitter = 0, MaxAttempts = 3 };

        var failure = await Assert.ThrowsAsync<PortalClosedException>(() => _client.ConnectAsync(policy).WaitAsync(Bounds.Long));

        Assert.Equal(PortalCloseKind.ConduitFailed, failure.Reason.Kind);
        Assert.Contains("could not connect", failure.Reason.Message);
    }

    [Fact]
    public async Task StatesOfAConnectionThatGivesUp_ReconnectingWithDoublingDelays_ThenClosedGaveUp()
    {
        var (node, listener) = await StartNodeAsync("node-gone", 1);
        var states = new List<ConnectionState>();
        await using var connection = await _client.ConnectAsync(new ReconnectPolicy(Conduit.Tcp(listener.LocalEndPoint)) { InitialDelay = Quick, Jitter = 0, MaxAttempts = 3 }).WaitAsync(Bounds.Long);
        using var watching = connection.States.Subscribe(state => { lock (states) { states.Add(state); } });

        await listener.DisposeAsync(); // nothing answers any more
        await node.DisposeAsync();

        var reason = await connection.Completion.WaitAsync(Bounds.Long);
        Assert.Equal(PortalCloseKind.ConduitFailed, reason.Kind);
        lock (states)
        {
            Assert.Equal([Quick, Quick * 2, Quick * 4], states.OfType<ConnectionState.Reconnecting>().Select(r => r.Delay));
            Assert.Equal([1, 2, 3], states.OfType<ConnectionState.Reconnecting>().Select(r => r.Attempt));
            Assert.True(Assert.IsType<ConnectionState.Closed>(states[^1]).GaveUp);
        }

        Assert.Null(connection.Current);
    }

    [Fact]
    public async Task RefusedByTheServersAdmission_NoRetry_TheConnectFailsWithCodeRefused()
    {
        var admissions = 0;
        var builder = KestrelWormhole.CreateBuilder();
        var app = builder.Build();
        _disposables.Add(app);
        var node = RemoteSide.Create("node-refusing");
        _disposables.Add(node);
        app.UseWebSockets();
        app.MapWormhole("/ws", node.Nexus, _ =>
        {
            Interlocked.Increment(ref admissions);
            return ValueTask.FromResult(PortalAdmission.Reject("not you"));
        });
        await app.StartAsync().WaitAsync(Bounds.Long);

        var failure = await Assert.ThrowsAsync<PortalClosedException>(() => _client.ConnectAsync(new ReconnectPolicy(Conduit.WebSocket(app.WebSocketUri())) { InitialDelay = Quick }).WaitAsync(Bounds.Long));

        Assert.Equal(PortalErrorCodes.Refused, failure.Reason.Code);
        Assert.Contains("403", failure.Reason.Message);
        Assert.Equal(1, admissions);
        Assert.False(ReconnectPolicy.ReconnectsAfter(failure.Reason));
    }

    [Fact]
    public async Task ClosedByThisSide_WhileWaitingToReconnect_EndsAtOnce_ClosedLocally()
    {
        var (node, listener) = await StartNodeAsync("node-closing", 1);
        await using var connection = await _client.ConnectAsync(new ReconnectPolicy(Conduit.Tcp(listener.LocalEndPoint)) { InitialDelay = TimeSpan.FromMinutes(5), MaxDelay = TimeSpan.FromMinutes(5) }).WaitAsync(Bounds.Long);
        var waiting = connection.States.OfType<ConnectionState.Reconnecting>().FirstAsync().ToTask();
        await node.DisposeAsync();
        await waiting.WaitAsync(Bounds.Long);

        var reason = await connection.CloseAsync("the user left").WaitAsync(Bounds.Long);

        Assert.Equal(PortalCloseKind.ClosedLocally, reason.Kind);
        Assert.False(Assert.IsType<ConnectionState.Closed>(connection.State).GaveUp);
    }

    [Fact]
    public async Task RefusedByATcpListenersAdmission_NoRetry_TheConnectFailsWithTheGoodbyeForGood()
    {
        var node = RemoteSide.Create("node-refusing-tcp");
        _disposables.Add(node);
        var admissions = 0;
        var listener = await node.Nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0), _ =>
        {
            Interlocked.Increment(ref admissions);
            return ValueTask.FromResult(PortalAdmission.Reject("banned"));
        });
        _disposables.Add(listener);

        var failure = await Assert.ThrowsAsync<PortalClosedException>(() => _client.ConnectAsync(new ReconnectPolicy(Conduit.Tcp(listener.LocalEndPoint)) { InitialDelay = Quick }).WaitAsync(Bounds.Long));

        Assert.True(failure.Reason.Final);
        Assert.Contains("the connection was refused: banned", failure.Reason.Message);
        Assert.Equal(1, admissions);
    }

    [Fact]
    public async Task ServerClosesThePortalForGood_TheClientDoesNotReconnect()
    {
        var (node, listener) = await StartNodeAsync("node-kicking", 1);
        var serverPortal = node.Nexus.Events.OfType<PortalEvent.Opened>().Select(e => e.Portal).FirstAsync().ToTask();
        await using var connection = await _client.ConnectAsync(new ReconnectPolicy(Conduit.Tcp(listener.LocalEndPoint)) { InitialDelay = Quick }).WaitAsync(Bounds.Long);

        await (await serverPortal.WaitAsync(Bounds.Long)).CloseForGoodAsync("signed out").WaitAsync(Bounds.Long);

        var reason = await connection.Completion.WaitAsync(Bounds.Long);
        Assert.True(reason.Final);
        Assert.Equal("the peer said goodbye for good: signed out", reason.Message);
        Assert.False(Assert.IsType<ConnectionState.Closed>(connection.State).GaveUp);
    }

    [Theory]
    [InlineData(PortalCloseKind.ConduitFailed, null, true)]
    [InlineData(PortalCloseKind.ConduitFailed, PortalErrorCodes.Refused, false)]
    [InlineData(PortalCloseKind.ConduitCompleted, null, true)]
    [InlineData(PortalCloseKind.ClosedByPeer, null, true)]
    [InlineData(PortalCloseKind.LimitExceeded, PortalErrorCodes.IdleTimeout, true)]
    [InlineData(PortalCloseKind.LimitExceeded, PortalErrorCodes.MaxFrameBytes, false)]
    [InlineData(PortalCloseKind.HandshakeFailed, PortalErrorCodes.HandshakeTimeout, true)]
    [InlineData(PortalCloseKind.HandshakeFailed, PortalErrorCodes.VersionMismatch, false)]
    [InlineData(PortalCloseKind.ClosedLocally, null, false)]
    [InlineData(PortalCloseKind.ProtocolViolation, PortalErrorCodes.MalformedFrame, false)]
    [InlineData(PortalCloseKind.PeerError, null, false)]
    public void TheDefaultRule(PortalCloseKind kind, string? code, bool reconnects) =>
        Assert.Equal(reconnects, ReconnectPolicy.ReconnectsAfter(new PortalCloseReason(kind, "why") { Code = code }));

    [Fact]
    public void TheDefaultRule_AGoodbyeForGood_IsTheEnd() =>
        Assert.False(ReconnectPolicy.ReconnectsAfter(new PortalCloseReason(PortalCloseKind.ClosedByPeer, "why") { Final = true }));


    /// <summary>A server with a "square" that multiplies by <paramref name="factor"/> (so a test sees which node answered), listening on TCP.</summary>
    private async Task<(RemoteSide Node, WormholeListener Listener)> StartNodeAsync(string name, int factor)
    {
        var node = RemoteSide.Create(name);
        node.Nexus.Publish("square", FnActor.Spawn<Square>(node.System, async actor =>
        {
            await foreach (var square in actor.Messages)
            {
                square.Reply?.Reply(square.Value * factor);
            }
        }));
        var listener = await node.Nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
        _disposables.Add(node);
        _disposables.Add(listener);
        return (node, listener);
    }
}
