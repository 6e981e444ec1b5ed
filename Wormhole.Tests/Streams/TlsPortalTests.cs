using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams;

/// <summary>
/// The portal scenarios over TCP with TLS on 127.0.0.1: a server certificate and a required client certificate, both
/// issued by an authority the test makes (<see cref="TestCertificates"/>).
/// </summary>
public sealed class TlsPortalTests : PortalScenarios
{
    private readonly List<WormholeListener> _listeners = [];
    private readonly TestCertificates _certificates = TestCertificates.Create();

    protected override async Task<(Portal Client, Portal Server)> ConnectAsync(Nexus client, Nexus server)
    {
        using var alice = _certificates.Issue("CN=alice", serverAuth: false);
        var listener = await server.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0), _certificates.ServerOptions(clientCertificateRequired: true));
        _listeners.Add(listener);
        var serverPortal = server.Events.OfType<PortalEvent.Opened>().Select(e => e.Portal).FirstAsync().ToTask();
        var clientPortal = await client.ConnectAsync(Conduit.Tcp("127.0.0.1", listener.LocalEndPoint.Port, _certificates.Client(clientCertificate: alice))).WaitAsync(Bounds.Long);
        return (clientPortal, await serverPortal.WaitAsync(Bounds.Long));
    }

    public override async Task DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }

        await base.DisposeAsync();
        _certificates.Dispose();
    }
}
