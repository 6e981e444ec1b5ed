using System.Net.WebSockets;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Wormhole.Streams;
using Wormhole.Tests.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.AspNetCore.Hosting;

/// <summary>How a portal served by <c>MapWormhole</c> ends when its client goes away without saying goodbye.</summary>
public sealed class MapWormholeTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private const int MaxFrameBytes = 64 * 1024;
    private RemoteSide _server = null!;
    private WebApplication _app = null!;
    private Nexus _client = null!;

    public async Task InitializeAsync()
    {
        _server = RemoteSide.Create("ws-abort-server");
        _app = await KestrelWormhole.StartAsync(_server.Nexus);
        _client = Nexus.Create(Sys);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _app.StopAsync().WaitAsync(Bounds.Long);
        await _app.DisposeAsync();
        await _server.DisposeAsync();
    }

    /// <summary>
    /// A killed client's socket closes without a WebSocket close handshake. Kestrel then aborts the request too, and
    /// the server's portal used to close itself on that (a <c>Goodbye</c>, <c>ClosedLocally: the HTTP request was
    /// aborted</c>), blaming this side for the peer's loss. Several clients, since the two signals race.
    /// </summary>
    [Fact]
    public async Task ClientSocketAbortedWithoutClosing_ServerPortalReportsTheConduit_NotAClosedLocally()
    {
        for (var i = 0; i < 5; i++)
        {
            var opened = _server.Nexus.Events.OfType<PortalEvent.Opened>().FirstAsync().ToTask();
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(_app.WebSocketUri(), CancellationToken.None).WaitAsync(Bounds.Long);
            var flow = LengthPrefixFraming.Around(WebSocketFlow.Create(socket, MaxFrameBytes), MaxFrameBytes);
            var clientPortal = await _client.ConnectAsync(Conduit.FromFlow(flow)).WaitAsync(Bounds.Long);
            var serverPortal = (await opened.WaitAsync(Bounds.Long)).Portal;

            socket.Abort(); // what the OS does to the socket of a killed process: no close frame, no Goodbye

            var reason = await serverPortal.Completion.WaitAsync(Bounds.Long);
            Assert.True(reason.Kind is PortalCloseKind.ConduitFailed or PortalCloseKind.ConduitCompleted, $"client {i}: {reason}");
            await clientPortal.Completion.WaitAsync(Bounds.Long);
        }
    }
}
