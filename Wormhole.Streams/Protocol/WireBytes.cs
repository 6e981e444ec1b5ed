using System.Buffers.Binary;
using System.Text;

namespace Wormhole.Streams.Protocol;

/// <summary>Protobuf encoding by hand, for the frame writers that skip protobuf-net on the busiest paths.</summary>
internal static class WireBytes
{
    public static int IdFieldSize(WireId id) => 2 + (id.High != 0 ? 9 : 0) + (id.Low != 0 ? 9 : 0);

    public static Span<byte> Id(Span<byte> span, byte tag, WireId id)
    {
        span = Byte(span, tag);
        span = Byte(span, (byte)(IdFieldSize(id) - 2));
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

    /// <summary>The size of an optional string field: nothing when <paramref name="value"/> is null (an empty one is written, as protobuf-net does).</summary>
    public static int StringFieldSize(string? value) =>
        value is null ? 0 : 1 + VarintSize((uint)Encoding.UTF8.GetByteCount(value)) + Encoding.UTF8.GetByteCount(value);

    /// <summary>Writes an optional string field (tag, length, UTF-8); nothing when <paramref name="value"/> is null.</summary>
    public static Span<byte> String(Span<byte> span, byte tag, string? value)
    {
        if (value is null)
        {
            return span;
        }

        span = Byte(span, tag);
        var length = Encoding.UTF8.GetByteCount(value);
        span = Varint(span, (uint)length);
        Encoding.UTF8.GetBytes(value, span);
        return span[length..];
    }

    public static Span<byte> Byte(Span<byte> span, int value)
    {
        span[0] = (byte)value;
        return span[1..];
    }

    public static Span<byte> Varint(Span<byte> span, ulong value)
    {
        var at = 0;
        for (; value >= 0x80; value >>= 7)
        {
            span[at++] = (byte)(value | 0x80);
        }

        span[at++] = (byte)value;
        return span[at..];
    }

    public static int VarintSize(ulong value)
    {
        var size = 1;
        for (; value >= 0x80; value >>= 7)
        {
            size++;
        }

        return size;
    }
}
