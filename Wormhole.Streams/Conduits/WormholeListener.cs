using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Wormhole.Streams;

/// <summary>
/// A listening TCP socket that opens a portal per connection (<see cref="Nexus.ListenTcpAsync(IPEndPoint, CancellationToken)"/>),
/// with TLS or not (<see cref="Nexus.ListenTcpAsync(IPEndPoint, SslServerAuthenticationOptions, Func{TlsPeer, ValueTask{PortalAdmission}}?, CancellationToken)"/>);
/// dispose it to stop accepting.
/// </summary>
public sealed class WormholeListener : IAsyncDisposable
{
    private readonly SocketAcceptLoop _loop;

    internal WormholeListener(Nexus nexus, Socket socket, SslServerAuthenticationOptions? tls, Func<EndPoint, X509Certificate2?, ValueTask<PortalAdmission>>? admit)
    {
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _loop = new SocketAcceptLoop(nexus, socket, $"{(tls is null ? "TCP" : "TLS")} listener at {LocalEndPoint}", tls, admit);
    }

    /// <summary>Where the listener accepts connections (with the actual port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>
    /// Stops accepting connections and closes the connections it accepted: their portals close with
    /// <see cref="PortalCloseKind.ConduitCompleted"/>.
    /// </summary>
    /// <returns>A task that completes when the listening socket and every accepted connection are closed.</returns>
    public ValueTask DisposeAsync() => _loop.DisposeAsync();
}
