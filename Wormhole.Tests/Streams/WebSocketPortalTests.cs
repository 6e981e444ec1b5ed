using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams;

/// <summary>The portal scenarios over real WebSockets: a real Kestrel on 127.0.0.1 per server nexus, <see cref="Conduit.WebSocket(Uri)"/> on the client.</summary>
public sealed class WebSocketPortalTests : PortalScenarios
{
    private readonly Dictionary<Nexus, WebApplication> _servers = [];

    protected override async Task<(Portal Client, Portal Server)> ConnectAsync(Nexus client, Nexus server)
    {
        if (!_servers.TryGetValue(server, out var app))
        {
            app = await KestrelWormhole.StartAsync(server);
            _servers[server] = app;
        }

        var serverPortal = server.Events.OfType<PortalEvent.Opened>().Select(e => e.Portal).FirstAsync().ToTask();
        var clientPortal = await client.ConnectAsync(Conduit.WebSocket(app.WebSocketUri())).WaitAsync(Bounds.Long);
        return (clientPortal, await serverPortal.WaitAsync(Bounds.Long));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var app in _servers.Values)
        {
            await app.StopAsync().WaitAsync(Bounds.Long);
            await app.DisposeAsync();
        }
    }
}
