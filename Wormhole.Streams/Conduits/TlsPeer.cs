using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Wormhole.Streams;

/// <summary>
/// A client of a TLS listener (<see cref="Nexus.ListenTcpAsync(IPEndPoint, System.Net.Security.SslServerAuthenticationOptions, Func{TlsPeer, ValueTask{PortalAdmission}}?, CancellationToken)"/>)
/// after its TLS handshake succeeded, as the admission callback sees it.
/// </summary>
public sealed class TlsPeer
{
    internal TlsPeer(EndPoint remoteEndPoint, X509Certificate2? clientCertificate)
    {
        RemoteEndPoint = remoteEndPoint;
        ClientCertificate = clientCertificate;
    }

    /// <summary>The client's address and port.</summary>
    public EndPoint RemoteEndPoint { get; }

    /// <summary>
    /// The certificate the client authenticated with (its <see cref="X509Certificate.Subject"/> and
    /// <see cref="X509Certificate2.Thumbprint"/> say who it is), already accepted by the listener's
    /// <see cref="System.Net.Security.SslServerAuthenticationOptions.RemoteCertificateValidationCallback"/> or the system's
    /// trust; null when the client gave none (only possible when the listener does not require one). The portal keeps it as
    /// <see cref="Portal.RemoteCertificate"/>.
    /// </summary>
    public X509Certificate2? ClientCertificate { get; }

    /// <inheritdoc/>
    public override string ToString() => ClientCertificate is null ? $"{RemoteEndPoint}" : $"{RemoteEndPoint} ({ClientCertificate.Subject})";
}
