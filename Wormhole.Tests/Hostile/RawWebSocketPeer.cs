using System.Buffers.Binary;
using System.Net.WebSockets;

namespace Wormhole.Tests.Hostile;

/// <summary>A raw peer over a plain <see cref="ClientWebSocket"/>: binary messages carrying length-prefixed frames, as TCP.</summary>
internal sealed class RawWebSocketPeer : RawPeer
{
    private readonly ClientWebSocket _socket;
    private readonly Queue<byte[]> _frames = new();
    private byte[] _unframed = [];

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

    /// <summary>One binary message: the length prefix and the body.</summary>
    public override async Task SendBodyAsync(ReadOnlyMemory<byte> body) =>
        await _socket.SendAsync(RawTcpPeer.Prefixed(body.Span), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

    /// <summary>One binary message of exactly these bytes.</summary>
    public override async Task SendRawAsync(ReadOnlyMemory<byte> bytes) =>
        await _socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

    public override void Abort() => _socket.Abort();

    protected override async Task<byte[]?> ReadBodyAsync(Action<string> closed)
    {
        byte[]? body;
        while (!_frames.TryDequeue(out body))
        {
            if (await ReadMessageAsync(closed) is not { } message)
            {
                return null;
            }

            _unframed = [.. _unframed, .. message];
            var at = 0;
            while (_unframed.Length - at >= 4 && BinaryPrimitives.ReadInt32BigEndian(_unframed.AsSpan(at)) is var length && _unframed.Length - at - 4 >= length)
            {
                _frames.Enqueue(_unframed[(at + 4)..(at + 4 + length)]);
                at += 4 + length;
            }

            _unframed = _unframed[at..];
        }

        return body;
    }

    private async Task<byte[]?> ReadMessageAsync(Action<string> closed)
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
