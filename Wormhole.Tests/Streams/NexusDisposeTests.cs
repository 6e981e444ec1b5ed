using System.Diagnostics;
using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams;

/// <summary>Disposing a server nexus says goodbye to every client over real sockets, and waits for the goodbyes to get out.</summary>
public sealed class NexusDisposeTests : Akka.TestKit.Xunit2.TestKit
{
    private const int ClientsPerTransport = 3;

    [Fact]
    public async Task DisposeAsync_WithTcpAndWebSocketClients_EachClientClosesByPeerWithTheGoodbye_WithinABound()
    {
        var server = RemoteSide.Create("dispose-server");
        var client = Nexus.Create(Sys);
        var listener = await server.Nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
        var app = await KestrelWormhole.StartAsync(server.Nexus);
        try
        {
            var portals = new List<(string Transport, Portal Portal)>();
            for (var i = 0; i < ClientsPerTransport; i++)
            {
                portals.Add(("TCP", await client.ConnectAsync(Conduit.Tcp(listener.LocalEndPoint)).WaitAsync(Bounds.Long)));
                portals.Add(("WebSocket", await client.ConnectAsync(Conduit.WebSocket(app.WebSocketUri())).WaitAsync(Bounds.Long)));
            }

            await AwaitAssertAsync(() => Assert.Equal(2 * ClientsPerTransport, server.Nexus.Portals.Count), Bounds.Long);
            var clock = Stopwatch.StartNew();

            await server.Nexus.DisposeAsync().AsTask().WaitAsync(Bounds.Long);

            var disposedIn = clock.Elapsed;
            foreach (var (transport, portal) in portals)
            {
                var reason = await portal.Completion.WaitAsync(Bounds.Long);
                Assert.True(reason.Kind == PortalCloseKind.ClosedByPeer, $"{transport}: {reason}");
                Assert.Contains("the nexus was disposed", reason.Message, StringComparison.Ordinal); // the Goodbye's reason
            }

            Assert.True(disposedIn < WebSocketFlowCloseTimeout, $"DisposeAsync took {disposedIn.TotalSeconds:0.0} s");
        }
        finally
        {
            await client.DisposeAsync();
            await app.StopAsync().WaitAsync(Bounds.Long);
            await app.DisposeAsync();
            await listener.DisposeAsync();
            await server.System.Terminate();
        }
    }

    [Fact]
    public async Task DisposeAsync_WithAConnectionStillInItsHandshake_ClosesItToo_WithoutWaitingForTheHandshakeTimeout()
    {
        var server = RemoteSide.Create("dispose-half-open"); // the default 10 s handshake timeout
        var listener = await server.Nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
        using var silent = new System.Net.Sockets.TcpClient();
        try
        {
            var closed = server.Nexus.Events.OfType<PortalEvent.Closed>().FirstAsync().ToTask();
            await silent.ConnectAsync(listener.LocalEndPoint).WaitAsync(Bounds.Long); // and never says Hello
            await AwaitAssertAsync(() => Assert.Single(server.Nexus.Conduits), Bounds.Long);
            var clock = Stopwatch.StartNew();

            await server.Nexus.DisposeAsync().AsTask().WaitAsync(Bounds.Long);

            Assert.True(clock.Elapsed < WebSocketFlowCloseTimeout, $"DisposeAsync took {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Contains(Nexus.DisposedReason, (await closed.WaitAsync(Bounds.Long)).Reason.Message, StringComparison.Ordinal);
        }
        finally
        {
            await listener.DisposeAsync();
            await server.System.Terminate();
        }
    }

    /// <summary>How long a WebSocket waits for the peer's close: a dispose that took this long waited for a reset, not a handshake.</summary>
    private static readonly TimeSpan WebSocketFlowCloseTimeout = TimeSpan.FromSeconds(5);
}
