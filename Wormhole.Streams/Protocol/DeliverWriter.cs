using System.Buffers.Binary;

namespace Wormhole.Streams.Protocol;

/// <summary>
/// Writes a <see cref="Deliver"/> frame without a <c>Failure</c> straight into an array of its exact size, byte for byte
/// what protobuf-net writes for it (a test holds the two together): the sender's busiest encoding.
/// </summary>
/// <remarks>
/// Layout: <c>22 len</c> (Frame field 4), then Target <c>0A len [09 High] [11 Low]</c>, Payload <c>12 len bytes</c> when
/// there is one, ReplyTo <c>1A len [09 High] [11 Low]</c>, ReplyWithinMs <c>20 varint</c> when not 0; an id's half is
/// left out when it is 0, as protobuf-net does.
/// </remarks>
internal static class DeliverWriter
{
    public static bool CanWrite(Deliver deliver) => deliver.Failure is null;

    public static byte[] Write(Deliver deliver)
    {
        var body = IdField(deliver.Target)
            + (deliver.Payload is { } payload ? 1 + VarintSize((uint)payload.Length) + payload.Length : 0)
            + IdField(deliver.ReplyTo)
            + (deliver.ReplyWithinMs != 0 ? 1 + VarintSize(deliver.ReplyWithinMs) : 0);
        var frame = new byte[1 + VarintSize((uint)body) + body];
        var span = frame.AsSpan();
        span = Byte(span, 4 << 3 | 2);
        span = Varint(span, (uint)body);
        span = Id(span, 1 << 3 | 2, deliver.Target);
        if (deliver.Payload is { } bytes)
        {
            span = Byte(span, 2 << 3 | 2);
            span = Varint(span, (uint)bytes.Length);
            bytes.CopyTo(span);
            span = span[bytes.Length..];
        }

        span = Id(span, 3 << 3 | 2, deliver.ReplyTo);
        if (deliver.ReplyWithinMs != 0)
        {
            span = Byte(span, 4 << 3);
            _ = Varint(span, deliver.ReplyWithinMs);
        }

        return frame;
    }

    private static int IdField(WireId id) => 2 + (id.High != 0 ? 9 : 0) + (id.Low != 0 ? 9 : 0);

    private static Span<byte> Id(Span<byte> span, byte tag, WireId id)
    {
        span = Byte(span, tag);
        span = Byte(span, (byte)(IdField(id) - 2));
        if (id.High != 0)
        {
            span = Byte(span, 1 << 3 | 1);
            BinaryPrimitives.WriteUInt64LittleEndian(span, id.High);
            span = span[8..];
        }

        if (id.Low != 0)
        {
            span = Byte(span, 2 << 3 | 1);
            BinaryPrimitives.WriteUInt64LittleEndian(span, id.Low);
            span = span[8..];
        }

        return span;
    }

    private static Span<byte> Byte(Span<byte> span, int value)
    {
        span[0] = (byte)value;
        return span[1..];
    }

    private static Span<byte> Varint(Span<byte> span, uint value)
    {
        var at = 0;
        for (; value >= 0x80; value >>= 7)
        {
            span[at++] = (byte)(value | 0x80);
        }

        span[at++] = (byte)value;
        return span[at..];
    }

    private static int VarintSize(uint value)
    {
        var size = 1;
        for (; value >= 0x80; value >>= 7)
        {
            size++;
        }

        return size;
    }
}
