using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Streaming;

/// <summary>The stream scenarios over real TCP on 127.0.0.1.</summary>
public sealed class TcpStreamTests : StreamScenarios
{
    private WormholeListener? _listener;

    protected override async Task<(Portal Client, Portal Server)> ConnectAsync(Nexus client, Nexus server)
    {
        _listener = await server.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
        var serverPortal = server.Events.OfType<PortalEvent.Opened>().Select(e => e.Portal).FirstAsync().ToTask();
        var clientPortal = await client.ConnectAsync(Conduit.Tcp(_listener.LocalEndPoint)).WaitAsync(Bounds.Long);
        return (clientPortal, await serverPortal.WaitAsync(Bounds.Long));
    }

    public override async Task DisposeAsync()
    {
        if (_listener is not null)
        {
            await _listener.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
