using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ProtoBuf;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;

namespace Wormhole.Benchmarks.Servers;

/// <summary>
/// The floor: a plain TCP socket carrying length-prefixed protobuf-net frames of <see cref="Small"/> (4-byte big-endian
/// length, then the message), written in batches and read in batches, each frame decoded. No actors, no framework.
/// </summary>
/// <remarks>
/// A connection starts with a control frame: <c>Id = -1</c> (count <c>Stamp</c> messages, then answer with one frame
/// <c>Id = -3, Stamp = count</c>) or <c>Id = -2</c> (echo every frame; replies are flushed once per batch read).
/// </remarks>
internal static class RawSocket
{
    public const int CountMode = -1, EchoMode = -2, Report = -3;

    public delegate void FrameHandler(ReadOnlySpan<byte> frame);

    /// <summary><c>serve raw</c>: accepts connections, one thread each.</summary>
    public static Task<int> ServeAsync() => ThreadPerConnectionServer.RunAsync(Serve);

    private static void Serve(Socket socket)
    {
        socket.NoDelay = true;
        using var _ = socket;
        var reader = new FrameReader(socket);
        var writer = new FrameWriter(socket);
        int mode = 0;
        long expected = 0, count = 0;
        try
        {
            while (reader.ReadBatch(frame =>
                   {
                       var small = Serializer.Deserialize<Small>(frame);
                       if (small.Id < 0)
                       {
                           mode = small.Id;
                           expected = small.Stamp;
                           count = 0;
                           return;
                       }

                       if (mode == EchoMode)
                       {
                           writer.Write(small);
                       }
                       else if (++count == expected)
                       {
                           writer.Write(new Small { Id = Report, Stamp = count });
                       }
                   }) > 0)
            {
                writer.Flush();
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            // the client went away
        }
    }

    /// <summary>Reads whatever has arrived and hands over every complete frame.</summary>
    public sealed class FrameReader(Socket socket)
    {
        private byte[] _buffer = new byte[256 * 1024];
        private int _start, _end;

        /// <summary>Blocks until bytes arrive, then calls <paramref name="onFrame"/> for each complete frame; 0 at end of stream.</summary>
        public int ReadBatch(FrameHandler onFrame)
        {
            if (_start > 0 && _start == _end)
            {
                _start = _end = 0;
            }
            else if (_end == _buffer.Length)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var read = socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
            if (read == 0)
            {
                return 0;
            }

            _end += read;
            var frames = 0;
            while (_end - _start >= 4)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start));
                if (length + 4 > _buffer.Length)
                {
                    Array.Resize(ref _buffer, length + 4);
                }

                if (_end - _start < 4 + length)
                {
                    break;
                }

                onFrame(_buffer.AsSpan(_start + 4, length));
                _start += 4 + length;
                frames++;
            }

            return Math.Max(frames, 1);
        }
    }

    /// <summary>Appends frames to a buffer; <see cref="Flush"/> sends them in one write.</summary>
    public sealed class FrameWriter(Socket socket)
    {
        private readonly MemoryStream _buffer = new(64 * 1024);

        public long Buffered => _buffer.Length;

        public void Write(Small message)
        {
            Serializer.SerializeWithLengthPrefix(_buffer, message, PrefixStyle.Fixed32BigEndian);
            if (_buffer.Length >= 60 * 1024)
            {
                Flush();
            }
        }

        public void Flush()
        {
            if (_buffer.Length > 0)
            {
                socket.Send(_buffer.GetBuffer().AsSpan(0, (int)_buffer.Length));
                _buffer.SetLength(0);
            }
        }
    }
}
