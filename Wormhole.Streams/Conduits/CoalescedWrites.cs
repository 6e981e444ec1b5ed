using System.Buffers.Binary;
using Akka;
using Akka.IO;
using Akka.Streams.Dsl;

namespace Wormhole.Streams;

/// <summary>
/// The sending half of <see cref="LengthPrefixFraming"/>: prefixes each frame with its length and joins the frames that
/// wait for a busy transport into one write, so many small frames cost one socket write and one buffer.
/// </summary>
/// <remarks>
/// <para>
/// Layout of a write: one or more of [length: 4-byte big-endian unsigned integer][the frame's bytes], back to back; the
/// same bytes as Akka's <c>Framing.SimpleFramingProtocolEncoder</c> followed by a concatenation, with the prefix and the
/// frame copied once into the write's buffer instead of each allocated and joined.
/// </para>
/// <para>
/// Emits when: the transport pulls; everything that arrived meanwhile goes as one contiguous buffer. Backpressures when:
/// <see cref="MaxWriteBytes"/> are waiting. Completes with its upstream. Fails when: upstream fails, or a frame is longer
/// than the limit (a <see cref="Framing.FramingException"/> naming both sizes, as Akka's encoder words it).
/// </para>
/// </remarks>
internal static class CoalescedWrites
{
    /// <summary>The most bytes joined into one write.</summary>
    internal const int MaxWriteBytes = 64 * 1024;

    /// <summary>The length prefix before each frame.</summary>
    internal const int PrefixBytes = 4;

    /// <summary>Frames in, length-prefixed writes out; a frame over <paramref name="maxFrameBytes"/> fails the flow.</summary>
    public static Flow<ByteString, ByteString, NotUsed> Create(int maxFrameBytes) =>
        Flow.Create<ByteString>()
            .Select(frame => frame.Count <= maxFrameBytes
                ? frame
                : throw new Framing.FramingException($"Maximum allowed message size is {maxFrameBytes} but tried to send {frame.Count} bytes"))
            .BatchWeighted(MaxWriteBytes, frame => frame.Count + PrefixBytes, frame => new List<ByteString> { frame }, (batch, frame) =>
            {
                batch.Add(frame);
                return batch;
            })
            .Select(Join);

    private static ByteString Join(List<ByteString> batch)
    {
        var length = 0;
        foreach (var frame in batch)
        {
            length += frame.Count + PrefixBytes;
        }

        var joined = new byte[length];
        var at = 0;
        foreach (var frame in batch)
        {
            BinaryPrimitives.WriteInt32BigEndian(joined.AsSpan(at), frame.Count);
            frame.CopyTo(joined, at + PrefixBytes, frame.Count);
            at += frame.Count + PrefixBytes;
        }

        return ByteString.FromBytes(joined);
    }
}
