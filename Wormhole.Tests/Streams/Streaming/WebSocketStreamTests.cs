using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Streaming;

/// <summary>The stream scenarios over real WebSockets: a real Kestrel on 127.0.0.1.</summary>
public sealed class WebSocketStreamTests : StreamScenarios
{
    private WebApplication? _app;

    protected override async Task<(Portal Client, Portal Server)> ConnectAsync(Nexus client, Nexus server)
    {
        _app = await KestrelWormhole.StartAsync(server);
        var serverPortal = server.Events.OfType<PortalEvent.Opened>().Select(e => e.Portal).FirstAsync().ToTask();
        var clientPortal = await client.ConnectAsync(Conduit.WebSocket(_app.WebSocketUri())).WaitAsync(Bounds.Long);
        return (clientPortal, await serverPortal.WaitAsync(Bounds.Long));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(Bounds.Long);
            await _app.DisposeAsync();
        }
    }
}
