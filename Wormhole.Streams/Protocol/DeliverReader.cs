using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Wormhole.Streams.Protocol;

/// <summary>
/// Reads the commonest frame, a <see cref="Deliver"/> with a payload, straight from its bytes instead of through
/// protobuf-net's general path: the receiver's busiest work.
/// </summary>
/// <remarks>
/// It takes only the shape the encoder writes: <c>Frame { Deliver = 4 }</c> and nothing after it, in which Target (1),
/// Payload (2), ReplyTo (3), ReplyWithinMs (4), TraceParent (6) and TraceState (7) each appear at most once, each id holds
/// only its two fixed64 halves, each at most once, and the trace strings only ASCII (whatever else protobuf-net makes of
/// other bytes, it makes it). Anything else (a <c>Failure</c>, another or a repeated field, a varint that does not fit,
/// bytes that end early) it leaves to protobuf-net, which decodes it or names the fault, so what it accepts decodes to
/// the very frame protobuf-net would make (the frame fuzzer checks that on every input).
/// </remarks>
internal static class DeliverReader
{
    private const byte DeliverTag = 4 << 3 | 2;
    private const byte TargetTag = 1 << 3 | 2, PayloadTag = 2 << 3 | 2, ReplyToTag = 3 << 3 | 2, ReplyWithinMsTag = 4 << 3;
    private const byte TraceParentTag = 6 << 3 | 2, TraceStateTag = 7 << 3 | 2;
    private const byte HighTag = 1 << 3 | 1, LowTag = 2 << 3 | 1;

    public static bool TryRead(ReadOnlySpan<byte> frame, [NotNullWhen(true)] out Deliver? deliver)
    {
        deliver = null;
        var at = 0;
        if (frame.Length < 2 || frame[at++] != DeliverTag || !TryLength(frame, ref at, out var length) || length != frame.Length - at)
        {
            return false;
        }

        var body = frame[at..];
        at = 0;
        WireId target = default, replyTo = default;
        byte[]? payload = null;
        string? traceParent = null, traceState = null;
        var replyWithinMs = 0U;
        var seen = 0;
        while (at < body.Length)
        {
            var tag = body[at++];
            var bit = tag switch { TargetTag => 1, PayloadTag => 2, ReplyToTag => 4, ReplyWithinMsTag => 8, TraceParentTag => 16, TraceStateTag => 32, _ => 0 };
            if (bit == 0 || (seen & bit) != 0)
            {
                return false;
            }

            seen |= bit;
            var read = tag switch
            {
                TargetTag => TryWireId(body, ref at, out target),
                ReplyToTag => TryWireId(body, ref at, out replyTo),
                ReplyWithinMsTag => TryUInt32(body, ref at, out replyWithinMs),
                TraceParentTag => TryAscii(body, ref at, out traceParent),
                TraceStateTag => TryAscii(body, ref at, out traceState),
                _ => TryBytes(body, ref at, out payload),
            };
            if (!read)
            {
                return false;
            }
        }

        deliver = new Deliver { Target = target, Payload = payload, ReplyTo = replyTo, ReplyWithinMs = replyWithinMs, TraceParent = traceParent, TraceState = traceState };
        return true;
    }

    private static bool TryBytes(ReadOnlySpan<byte> body, ref int at, out byte[]? bytes)
    {
        bytes = null;
        if (!TryLength(body, ref at, out var length) || length > body.Length - at)
        {
            return false;
        }

        bytes = body.Slice(at, length).ToArray();
        at += length;
        return true;
    }

    /// <summary>A string of ASCII bytes only (anything else is left to protobuf-net's UTF-8 decoding).</summary>
    private static bool TryAscii(ReadOnlySpan<byte> body, ref int at, out string? text)
    {
        text = null;
        if (!TryLength(body, ref at, out var length) || length > body.Length - at || !Ascii.IsValid(body.Slice(at, length)))
        {
            return false;
        }

        text = Encoding.ASCII.GetString(body.Slice(at, length));
        at += length;
        return true;
    }

    private static bool TryWireId(ReadOnlySpan<byte> body, ref int at, out WireId id)
    {
        id = default;
        if (!TryLength(body, ref at, out var length) || length > body.Length - at)
        {
            return false;
        }

        var halves = body.Slice(at, length);
        at += length;
        ulong high = 0, low = 0;
        var seen = 0;
        for (var i = 0; i < halves.Length; i += 9)
        {
            var bit = halves[i] switch { HighTag => 1, LowTag => 2, _ => 0 };
            if (bit == 0 || (seen & bit) != 0 || halves.Length - i < 9)
            {
                return false;
            }

            seen |= bit;
            var value = BinaryPrimitives.ReadUInt64LittleEndian(halves.Slice(i + 1, 8));
            (high, low) = bit == 1 ? (value, low) : (high, value);
        }

        id = new WireId { High = high, Low = low };
        return true;
    }

    /// <summary>A length: a varint of at most 5 bytes whose value fits in an <see cref="int"/>.</summary>
    private static bool TryLength(ReadOnlySpan<byte> bytes, ref int at, out int length)
    {
        length = 0;
        if (!TryUInt32(bytes, ref at, out var value) || value > int.MaxValue)
        {
            return false;
        }

        length = (int)value;
        return true;
    }

    /// <summary>A varint of at most 5 bytes (as protobuf-net reads a 32-bit one) whose value fits in a <see cref="uint"/>.</summary>
    private static bool TryUInt32(ReadOnlySpan<byte> bytes, ref int at, out uint value)
    {
        value = 0;
        for (var shift = 0; shift < 35 && at < bytes.Length; shift += 7)
        {
            var b = bytes[at++];
            if (shift == 28 && b > 0x0F)
            {
                return false;
            }

            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}
