using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Wormhole.Tests.Hostile;

/// <summary>A raw peer over a plain <see cref="TcpClient"/>: frames are its 4-byte big-endian length prefix and body.</summary>
internal sealed class RawTcpPeer : RawPeer
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawTcpPeer(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        StartReading();
    }

    public static async Task<RawTcpPeer> ConnectAsync(IPEndPoint endpoint)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(endpoint).WaitAsync(Support.Bounds.Long);
        return new RawTcpPeer(client);
    }

    /// <summary>The 4-byte big-endian length prefix.</summary>
    public static byte[] Prefix(int length)
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, length);
        return prefix;
    }

    /// <summary>The length prefix followed by <paramref name="body"/>: one frame as it travels.</summary>
    public static byte[] Prefixed(ReadOnlySpan<byte> body) => [.. Prefix(body.Length), .. body];

    public override async Task SendBodyAsync(ReadOnlyMemory<byte> body) => await _stream.WriteAsync(Prefixed(body.Span));

    public override async Task SendRawAsync(ReadOnlyMemory<byte> bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Closes the sending half: the server sees the end of the stream, and can still answer.</summary>
    public void ShutdownSend() => _client.Client.Shutdown(SocketShutdown.Send);

    public override void Abort()
    {
        try
        {
            _client.Client.LingerState = new LingerOption(true, 0); // a reset: unread bytes on either side are dropped
            _client.Client.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    protected override async Task<byte[]?> ReadBodyAsync(Action<string> closed)
    {
        var prefix = new byte[4];
        if (!await ReadExactlyAsync(prefix))
        {
            closed("the server closed the connection");
            return null;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (length is < 0 or > 16 * 1024 * 1024)
        {
            throw new InvalidDataException($"the server sent a length prefix of {length}");
        }

        var body = new byte[length];
        if (!await ReadExactlyAsync(body))
        {
            closed("the server closed the connection in the middle of a frame");
            return null;
        }

        return body;
    }

    protected override void DisposeTransport() => _client.Dispose();

    private async Task<bool> ReadExactlyAsync(byte[] buffer)
    {
        try
        {
            await _stream.ReadExactlyAsync(buffer);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }
}
