using Microsoft.AspNetCore.Builder;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Hostile;

/// <summary>The hostile-peer server behind a real Kestrel on 127.0.0.1 (a free port), <c>MapWormhole("/ws", nexus)</c>.</summary>
public sealed class WebSocketHostileServer : HostileServer
{
    private WebApplication _app = null!;

    internal override async Task<IRawPeer> ConnectRawAsync() => await RawWebSocketPeer.ConnectAsync(_app.WebSocketUri());

    protected override async Task<Conduit> StartTransportAsync(Nexus nexus)
    {
        _app = await KestrelWormhole.StartAsync(nexus);
        return Conduit.WebSocket(_app.WebSocketUri());
    }

    protected override async Task StopTransportAsync()
    {
        await _app.StopAsync().WaitAsync(Bounds.Long);
        await _app.DisposeAsync();
    }
}
