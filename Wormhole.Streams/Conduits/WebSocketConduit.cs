using System.Net.WebSockets;
using Akka.IO;
using Akka.Streams.Dsl;

namespace Wormhole.Streams;

/// <summary>
/// A WebSocket client conduit: a <see cref="ClientWebSocket"/> connected to <c>ws://</c> or <c>wss://</c>
/// <paramref name="uri"/> (an endpoint mapped with <see cref="WormholeEndpointRouteBuilderExtensions.MapWormhole(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder, string, Nexus)"/>), one binary WebSocket message per frame.
/// </summary>
/// <remarks>
/// Each run of the flow opens its own socket; the connect is cancelled, and the socket disposed, when the flow stops.
/// WebSocket frames messages itself, so no length prefix is added.
/// </remarks>
internal sealed class WebSocketConduit(Uri uri, Action<ClientWebSocketOptions>? configure) : Conduit
{
    internal override Flow<ByteString, ByteString, Task> Open(Nexus nexus, NexusOptions options) =>
        WebSocketFlow.Create(ConnectAsync, options.MaxFrameBytes).MapMaterializedValue(socket => socket.Connected);

    private async Task<WebSocket> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            configure?.Invoke(socket.Options);
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
