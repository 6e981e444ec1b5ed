using System.Net;
using Wormhole.Streams;

namespace Wormhole.Tests.Hostile;

/// <summary>The hostile-peer server on a TCP listener at 127.0.0.1 (a free port).</summary>
public sealed class TcpHostileServer : HostileServer
{
    private WormholeListener _listener = null!;

    internal override async Task<IRawPeer> ConnectRawAsync() => await RawTcpPeer.ConnectAsync(_listener.LocalEndPoint);

    protected override async Task<Conduit> StartTransportAsync(Nexus nexus)
    {
        _listener = await nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
        return Conduit.Tcp(_listener.LocalEndPoint);
    }

    protected override async Task StopTransportAsync() => await _listener.DisposeAsync();
}
