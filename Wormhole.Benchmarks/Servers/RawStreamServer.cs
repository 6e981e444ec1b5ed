using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ProtoBuf;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;

namespace Wormhole.Benchmarks.Servers;

/// <summary>
/// <c>serve raw-stream</c>: the floor of the stream workloads, a plain TCP socket with no acknowledgements and no flow
/// control but TCP's own.
/// </summary>
/// <remarks>
/// The client sends commands, one at a time on the same connection, each 9 bytes: one command byte and a count (8 bytes,
/// big-endian); the connection lasts until the client closes it.
/// <list type="bullet">
/// <item><c>S</c> (<see cref="StreamCommand"/>): the server writes <c>count</c> <see cref="Small"/> messages (0: until
/// the client goes away) as length-prefixed protobuf-net frames (4-byte big-endian length, then the message) through a
/// 64 KiB <see cref="BufferedStream"/>, flushed at the end; each element counts in <see cref="ServerConsole.Produced"/>.</item>
/// <item><c>U</c> (<see cref="UploadCommand"/>): the server reads <c>count</c> bytes into a 64 KiB buffer and answers
/// with the count it read (8 bytes, big-endian).</item>
/// </list>
/// </remarks>
internal static class RawStreamServer
{
    public const byte StreamCommand = (byte)'S', UploadCommand = (byte)'U';
    public const int BufferBytes = 64 * 1024;

    public static Task<int> RunAsync() => ThreadPerConnectionServer.RunAsync(Serve);

    /// <summary>The client's first 9 bytes: a command and a count.</summary>
    public static byte[] Command(byte command, long count)
    {
        var bytes = new byte[9];
        bytes[0] = command;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), count);
        return bytes;
    }

    private static void Serve(Socket socket)
    {
        socket.NoDelay = true;
        using var _ = socket;
        using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            var header = new byte[9];
            while (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length)
            {
                var count = BinaryPrimitives.ReadInt64BigEndian(header.AsSpan(1));
                switch (header[0])
                {
                    case StreamCommand:
                        Produce(stream, count);
                        break;
                    case UploadCommand:
                        Consume(stream, count);
                        break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or EndOfStreamException)
        {
            // the client went away (the end of an infinite stream)
        }
    }

    private static void Produce(NetworkStream stream, long count)
    {
        using var output = new BufferedStream(new Unclosed(stream), BufferBytes);
        for (var i = 0L; count == 0 || i < count; i++)
        {
            Serializer.SerializeWithLengthPrefix(output, Small.Make(i), PrefixStyle.Fixed32BigEndian);
            Interlocked.Increment(ref ServerConsole.Produced);
        }

        output.Flush();
    }

    private static void Consume(NetworkStream stream, long count)
    {
        var buffer = new byte[BufferBytes];
        var read = 0L;
        while (read < count)
        {
            var n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, count - read));
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        var reply = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(reply, read);
        stream.Write(reply);
    }

    /// <summary>The connection's stream, which a finished command's <see cref="BufferedStream"/> must not close.</summary>
    private sealed class Unclosed(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
