using System.Net.Security;
using Akka.IO;
using Akka.Streams.Dsl;

namespace Wormhole.Streams;

/// <summary>
/// A TCP connection with TLS (<see cref="Conduit.Tcp(string, int, SslClientAuthenticationOptions)"/>): the length-prefixed
/// frames of <see cref="StreamConduit"/> inside an <see cref="SslStream"/>. The TLS handshake is bounded by the portal's
/// <see cref="NexusOptions.HandshakeTimeout"/>, and a failed one fails the connect with the cause.
/// </summary>
internal sealed class TlsTcpConduit(string host, int port, SslClientAuthenticationOptions tls) : Conduit
{
    internal override Flow<ByteString, ByteString, Task> Open(Nexus nexus, NexusOptions options, LastWords lastWords) =>
        LengthPrefixFraming.Around(ByteStreamFlow.Create(cancellationToken => TlsHandshake.ConnectAsync(host, port, tls, options.HandshakeTimeout, cancellationToken)), options.MaxFrameBytes, lastWords)
            .MapMaterializedValue(session => session.Connected);
}
