using System.Net;
using System.Net.Security;
using Akka;
using Akka.IO;
using Akka.Streams.Dsl;

namespace Wormhole.Streams;

/// <summary>
/// A transport for one portal: a bidirectional, reliable, ordered flow of message-framed bytes
/// (one wormhole frame per <see cref="ByteString"/> element, in both directions).
/// </summary>
public abstract partial class Conduit
{
    private protected Conduit()
    {
    }

    /// <summary>A TCP connection to a Wormhole listener (<see cref="Nexus.ListenTcpAsync(System.Net.IPEndPoint, CancellationToken)"/>), frames prefixed by a 4-byte big-endian length.</summary>
    /// <param name="host">The host name or address.</param>
    /// <param name="port">The port.</param>
    /// <returns>The conduit.</returns>
    public static Conduit Tcp(string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        return new StreamConduit(cancellationToken => TcpSocket.ConnectAsync(host, port, cancellationToken));
    }

    /// <summary>
    /// A TCP connection with TLS to a Wormhole listener that serves TLS
    /// (<see cref="Nexus.ListenTcpAsync(IPEndPoint, SslServerAuthenticationOptions, Func{TlsPeer, ValueTask{PortalAdmission}}?, CancellationToken)"/>):
    /// the same length-prefixed frames inside an <see cref="SslStream"/>.
    /// </summary>
    /// <param name="host">The host name or address to connect to.</param>
    /// <param name="port">The port.</param>
    /// <param name="tls">
    /// The client's TLS options, used for each connect: <see cref="SslClientAuthenticationOptions.TargetHost"/> (required) is the
    /// name the server's certificate must carry; <see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/>
    /// decides about the server's certificate (null: the system's trust and the name check);
    /// <see cref="SslClientAuthenticationOptions.ClientCertificates"/> holds this side's certificate when the server asks for one.
    /// </param>
    /// <returns>The conduit; each connect opens its own connection.</returns>
    /// <exception cref="ArgumentException"><paramref name="host"/> or <paramref name="tls"/>'s <c>TargetHost</c> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="tls"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not positive.</exception>
    /// <remarks>
    /// The TLS handshake is bounded by the portal's <see cref="NexusOptions.HandshakeTimeout"/> and by the connect's
    /// cancellation token. A failed one (the server's certificate is untrusted or names another host, the server wants a
    /// client certificate and got none, the server does not speak TLS) fails the connect with
    /// <see cref="PortalClosedException"/>, <see cref="PortalCloseKind.ConduitFailed"/>, a reason naming TLS and the cause.
    /// Otherwise as <see cref="Tcp(string, int)"/>.
    /// </remarks>
    public static Conduit Tcp(string host, int port, SslClientAuthenticationOptions tls)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentNullException.ThrowIfNull(tls);
        if (string.IsNullOrEmpty(tls.TargetHost))
        {
            throw new ArgumentException("The TLS options need a TargetHost: the name the server's certificate must carry (e.g. \"localhost\").", nameof(tls));
        }

        return new TlsTcpConduit(host, port, tls);
    }

    /// <summary>A TCP connection to a Wormhole listener at <paramref name="endpoint"/>.</summary>
    /// <param name="endpoint">The listener's address and port.</param>
    /// <returns>The conduit.</returns>
    public static Conduit Tcp(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return Tcp(endpoint.Address.ToString(), endpoint.Port);
    }

    /// <summary>A WebSocket connection to a Wormhole endpoint (<c>MapWormhole</c> in ASP.NET Core, from the Wormhole.AspNetCore package): binary messages carrying length-prefixed frames, as TCP does, several per message when they wait for the socket.</summary>
    /// <param name="uri">The endpoint's address, <c>ws://</c> or <c>wss://</c>, e.g. <c>ws://127.0.0.1:5000/ws</c>.</param>
    /// <returns>The conduit.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="uri"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="uri"/> is relative, or its scheme is not <c>ws</c> or <c>wss</c>.</exception>
    public static Conduit WebSocket(Uri uri) => WebSocket(uri, configure: null);

    /// <summary>A WebSocket connection to a Wormhole endpoint, with the client's options set by <paramref name="configure"/>.</summary>
    /// <param name="uri">The endpoint's address, <c>ws://</c> or <c>wss://</c>.</param>
    /// <param name="configure">
    /// Sets request headers (e.g. <c>options.SetRequestHeader("Authorization", "Bearer …")</c>), cookies, client certificates
    /// or proxies before each connect; the server's admission callback sees them in the request's <c>HttpContext</c>.
    /// </param>
    /// <returns>The conduit.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="uri"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="uri"/> is relative, or its scheme is not <c>ws</c> or <c>wss</c>.</exception>
    public static Conduit WebSocket(Uri uri, Action<System.Net.WebSockets.ClientWebSocketOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || (uri.Scheme != "ws" && uri.Scheme != "wss"))
        {
            throw new ArgumentException($"A WebSocket conduit needs an absolute ws:// or wss:// address, not '{uri}'.", nameof(uri));
        }

        return new WebSocketConduit(uri, configure);
    }

    /// <summary>Any flow of message-framed bytes you built yourself (one frame per element).</summary>
    /// <typeparam name="TMat">The flow's materialized value (ignored).</typeparam>
    /// <param name="flow">The flow: what goes in reaches the peer, what comes out is from the peer.</param>
    /// <returns>The conduit.</returns>
    public static Conduit FromFlow<TMat>(Flow<ByteString, ByteString, TMat> flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return new FlowConduit(flow.MapMaterializedValue(_ => Task.CompletedTask));
    }

    /// <summary>Two connected in-memory conduits, for tests and for two nexuses in one process. Each end connects once.</summary>
    /// <param name="capacity">Frames buffered in each direction before the writer is backpressured.</param>
    /// <returns>The two ends: connect one nexus to <c>Left</c> and the other to <c>Right</c>.</returns>
    public static (Conduit Left, Conduit Right) InMemoryPair(int capacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        var (left, right) = InMemoryConduit.CreatePair(capacity);
        return (new FlowConduit(left), new FlowConduit(right));
    }

    /// <summary>The transport as a flow of whole frames; its task completes when connected (or faults).</summary>
    /// <param name="nexus">The nexus that connects.</param>
    /// <param name="options">The portal's limits.</param>
    /// <param name="lastWords">The portal's last frame, for the conduit's framing and close (a flow of your own ignores it).</param>
    internal abstract Flow<ByteString, ByteString, Task> Open(Nexus nexus, NexusOptions options, LastWords lastWords);

    private sealed class FlowConduit(Flow<ByteString, ByteString, Task> flow) : Conduit
    {
        internal override Flow<ByteString, ByteString, Task> Open(Nexus nexus, NexusOptions options, LastWords lastWords)
        {
            lastWords.MarkFramingStopped(); // no framing of ours to wait for
            return flow;
        }
    }
}
