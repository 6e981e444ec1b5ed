using System.Net.WebSockets;

namespace Wormhole.Tests.Hostile;

/// <summary>A raw peer over a plain <see cref="ClientWebSocket"/>: one binary message per frame.</summary>
internal sealed class RawWebSocketPeer : RawPeer
{
    private readonly ClientWebSocket _socket;

    private RawWebSocketPeer(ClientWebSocket socket)
    {
        _socket = socket;
        StartReading();
    }

    public static async Task<RawWebSocketPeer> ConnectAsync(Uri uri)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(Support.Bounds.Long);
        return new RawWebSocketPeer(socket);
    }

    public override async Task SendBodyAsync(ReadOnlyMemory<byte> body) =>
        await _socket.SendAsync(body, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

    public override async Task SendRawAsync(ReadOnlyMemory<byte> bytes) =>
        await _socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: false, CancellationToken.None);

    public override void Abort() => _socket.Abort();

    protected override async Task<byte[]?> ReadBodyAsync(Action<string> closed)
    {
        using var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                closed($"the server closed the WebSocket with {_socket.CloseStatus} ({(int?)_socket.CloseStatus}): {_socket.CloseStatusDescription}");
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None); // lets the server's request end
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return message.ToArray();
            }
        }
    }

    protected override void DisposeTransport() => _socket.Dispose();
}
