using System.Net.WebSockets;
using Akka.IO;
using Akka.Streams.Dsl;

namespace Wormhole.Streams;

/// <summary>
/// A WebSocket client conduit: a <see cref="ClientWebSocket"/> connected to <c>ws://</c> or <c>wss://</c>
/// <paramref name="uri"/> (an endpoint mapped with <c>MapWormhole</c> (Wormhole.AspNetCore)):
/// <see cref="LengthPrefixFraming"/> atop a <see cref="WebSocketFlow"/>, one or more length-prefixed frames per binary message.
/// </summary>
/// <remarks>
/// Each run of the flow opens its own socket; the connect is cancelled, and the socket disposed, when the flow stops. A
/// <c>wss://</c> connect whose TLS handshake fails (e.g. the server's certificate is not trusted) fails naming TLS and the cause.
/// </remarks>
internal sealed class WebSocketConduit(Uri uri, Action<ClientWebSocketOptions>? configure) : Conduit
{
    internal override Flow<ByteString, ByteString, Task> Open(Nexus nexus, NexusOptions options, LastWords lastWords) =>
        LengthPrefixFraming.Around(WebSocketFlow.Create(ConnectAsync, options.MaxFrameBytes, lastWords), options.MaxFrameBytes, lastWords)
            .MapMaterializedValue(socket => socket.Connected);

    private async Task<WebSocket> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.CollectHttpResponseDetails = true; // to tell a refusal (401, 403) from a lost connection
            configure?.Invoke(socket.Options);
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch (WebSocketException e) when (socket.HttpStatusCode is System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.Unauthorized)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            throw new ConnectionRefusedException($"the server refused the WebSocket request at {uri}: HTTP {(int)status} {status} (its admission or authorization turned this client away)", e);
        }
        catch (Exception e) when (TlsHandshake.FailureOf(e) is { } tls)
        {
            // ClientWebSocket says only "Unable to connect to the remote server"; the certificate's fault is two levels down.
            socket.Dispose();
            throw new IOException($"TLS handshake with {uri.Host}:{uri.Port} failed: {TlsHandshake.Describe(tls)}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
