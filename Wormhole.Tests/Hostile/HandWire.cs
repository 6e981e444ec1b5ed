using System.Buffers.Binary;
using Wormhole.Streams.Protocol;

namespace Wormhole.Tests.Hostile;

/// <summary>
/// Protobuf by hand, the few encodings the wire protocol uses: varints, fixed64 ids, length-delimited fields. What another
/// language's implementation needs before it has a protobuf library; the tests that use it document the frames' bytes.
/// </summary>
internal static class HandWire
{
    public const int VarintType = 0, Fixed64Type = 1, LengthDelimitedType = 2;

    public static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var low = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? low : (byte)(low | 0x80));
        }
        while (value != 0);

        return [.. bytes];
    }

    /// <summary>A field's key: its number and wire type.</summary>
    public static byte[] Key(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    /// <summary>A varint field (uint32, uint64, int32 ≥ 0, bool); protobuf leaves zero out.</summary>
    public static byte[] VarintField(int field, ulong value) => value == 0 ? [] : [.. Key(field, VarintType), .. Varint(value)];

    /// <summary>A length-delimited field: bytes, a string, or a nested message.</summary>
    public static byte[] Field(int field, ReadOnlySpan<byte> bytes) => [.. Key(field, LengthDelimitedType), .. Varint((ulong)bytes.Length), .. bytes];

    /// <summary>An id as a nested message: <c>{ fixed64 High = 1; fixed64 Low = 2; }</c>, little-endian halves.</summary>
    public static byte[] Id(int field, WireId id) => Field(field, IdFields(id));

    /// <summary>An id's two fields, <c>fixed64 High = 1; fixed64 Low = 2;</c>, to start a message of that layout (a <c>WireRef</c>).</summary>
    public static byte[] IdFields(WireId id) => [.. Key(1, Fixed64Type), .. Fixed64(id.High), .. Key(2, Fixed64Type), .. Fixed64(id.Low)];

    /// <summary>8 bytes, little-endian.</summary>
    public static byte[] Fixed64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }

    /// <summary>A frame: <c>Frame { oneof { … } }</c>, the body a frame kind's field of <paramref name="kind"/>.</summary>
    public static byte[] Frame(int kind, ReadOnlySpan<byte> body) => Field(kind, body);

    /// <summary>The fields of a message, in order: number, wire type, and the value (varints and fixed64) or the bytes (length-delimited).</summary>
    public static List<(int Field, int WireType, ulong Value, byte[] Bytes)> Fields(ReadOnlySpan<byte> message)
    {
        var fields = new List<(int, int, ulong, byte[])>();
        var at = 0;
        while (at < message.Length)
        {
            var key = ReadVarint(message, ref at);
            var (field, wireType) = ((int)(key >> 3), (int)(key & 7));
            switch (wireType)
            {
                case VarintType:
                    fields.Add((field, wireType, ReadVarint(message, ref at), []));
                    break;
                case Fixed64Type:
                    fields.Add((field, wireType, BinaryPrimitives.ReadUInt64LittleEndian(message[at..(at + 8)]), []));
                    at += 8;
                    break;
                case LengthDelimitedType:
                    var length = (int)ReadVarint(message, ref at);
                    fields.Add((field, wireType, 0, message[at..(at + length)].ToArray()));
                    at += length;
                    break;
                default:
                    throw new InvalidDataException($"wire type {wireType} of field {field} is not used by the protocol");
            }
        }

        return fields;
    }

    /// <summary>The only field of a frame: its kind and body.</summary>
    public static (int Kind, byte[] Body) Unframe(ReadOnlySpan<byte> frame) => Fields(frame) is [var only] ? (only.Field, only.Bytes) : throw new InvalidDataException("a frame holds exactly one field");

    /// <summary>An id read back from its nested message.</summary>
    public static WireId ReadId(ReadOnlySpan<byte> message)
    {
        var fields = Fields(message);
        return new WireId { High = fields.SingleOrDefault(f => f.Field == 1).Value, Low = fields.SingleOrDefault(f => f.Field == 2).Value };
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("a varint longer than 10 bytes");
    }
}
