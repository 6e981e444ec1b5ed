using System.Runtime.CompilerServices;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>
/// Rewrites a payload so that, in every message, the <c>[ProtoInclude]</c> subtype fields come before the other fields,
/// as protobuf-net writes them and needs them: given a base's own field first, protobuf-net 3.4.40 constructs the base
/// type (and fails for an abstract one, or a record without a parameterless constructor), then, if the base is
/// concrete, rebuilds it as the subtype by writing it out and reading it back, references included. Protobuf lets an
/// encoder write fields in any order, and Go, Python and JS encoders write ascending numbers: a subtype field last.
/// </summary>
/// <remarks>
/// Only the order changes, and it is stable: subtype fields keep their order among themselves, every other field keeps
/// its order too (a repeated field's elements, the last of a singular field), and no length changes, since a message
/// holds the same bytes in another order. Linear in the payload: a first pass looks for a subtype field after another
/// field and, finding none, returns the payload itself; otherwise each message's field headers are read three times
/// more (well-formed?, subtype fields, the others) and each byte is copied once into a buffer of the payload's size. Nests no
/// deeper than the model's <c>MaxDepth</c>, nor than the stack allows. Never throws: a message that is malformed at
/// its own level (a truncated varint, a length past its end, an unclosed group or an invalid wire type), or nested
/// deeper than that, is copied as it is, and protobuf-net refuses it as before. A group is one field, moved whole and
/// never looked into. Whatever the input, the output is bytes of the same length that the peer could have sent
/// itself, so the rewrite opens nothing the decoder's bounds did not already cover.
/// </remarks>
internal static class SubtypeFieldsFirst
{
    private const int Varint = 0, Fixed64 = 1, Len = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5;

    /// <summary><paramref name="payload"/> with the subtype fields of each message first, or <paramref name="payload"/> itself when they already are.</summary>
    public static byte[] Apply(byte[] payload, MessageShape shape, int maxDepth)
    {
        if (!NeedsReordering(payload, 0, payload.Length, shape, maxDepth))
        {
            return payload;
        }

        var output = new byte[payload.Length];
        Reorder(payload, 0, payload.Length, shape, maxDepth, output, 0);
        return output;
    }

    /// <summary>Whether a subtype field follows another field in this message or in one below it.</summary>
    private static bool NeedsReordering(byte[] payload, int start, int end, MessageShape shape, int depth)
    {
        if (depth <= 0 || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            return false;
        }

        var others = false;
        for (var position = start; position < end;)
        {
            if (!TryReadField(payload, ref position, end, out var field, out var body))
            {
                return false; // protobuf-net refuses this message whatever the order
            }

            var known = shape.TryGetField(field, out var inner, out var subtype) && body.Length >= 0;
            if (known && subtype && others)
            {
                return true;
            }

            if (known && !inner.IsLeaf && NeedsReordering(payload, body.Start, body.End, inner, depth - 1))
            {
                return true;
            }

            others |= !(known && subtype);
        }

        return false;
    }

    /// <summary>Writes the <c>[start, end)</c> message into <paramref name="output"/> at <paramref name="at"/>, its subtype fields first, the same at every level below.</summary>
    private static void Reorder(byte[] payload, int start, int end, MessageShape shape, int depth, byte[] output, int at)
    {
        if (depth <= 0 || !RuntimeHelpers.TryEnsureSufficientExecutionStack() || !IsWellFormed(payload, start, end))
        {
            payload.AsSpan(start, end - start).CopyTo(output.AsSpan(at));
            return;
        }

        if (shape.HasSubtypes)
        {
            at = Copy(payload, start, end, shape, depth, output, at, subtypes: true);
        }

        Copy(payload, start, end, shape, depth, output, at, subtypes: false);
    }

    /// <summary>Copies the subtype fields of a well-formed message, or all the others, in their order; returns where the output goes on.</summary>
    private static int Copy(byte[] payload, int start, int end, MessageShape shape, int depth, byte[] output, int at, bool subtypes)
    {
        for (var position = start; position < end;)
        {
            var fieldStart = position;
            TryReadField(payload, ref position, end, out var field, out var body);
            var known = shape.TryGetField(field, out var inner, out var subtype) && body.Length >= 0;
            if ((known && subtype) != subtypes)
            {
                continue;
            }

            if (!known || inner.IsLeaf)
            {
                payload.AsSpan(fieldStart, position - fieldStart).CopyTo(output.AsSpan(at));
                at += position - fieldStart;
                continue;
            }

            payload.AsSpan(fieldStart, body.Start - fieldStart).CopyTo(output.AsSpan(at)); // tag and length, as they were
            at += body.Start - fieldStart;
            Reorder(payload, body.Start, body.End, inner, depth - 1, output, at);
            at += body.Length;
        }

        return at;
    }

    private static bool IsWellFormed(byte[] payload, int start, int end)
    {
        for (var position = start; position < end;)
        {
            if (!TryReadField(payload, ref position, end, out _, out _))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Reads one field's tag and skips its value; <paramref name="body"/> is the content of a length-delimited field,
    /// or has a length of -1. A group is skipped whole, with what it nests, and left as it is. False for a truncated
    /// field, field number 0, an end-group without its start, or an invalid wire type.
    /// </summary>
    private static bool TryReadField(byte[] payload, ref int position, int end, out ulong field, out Body body)
    {
        body = new Body(position, -1);
        field = 0;
        if (!TryReadVarint(payload, ref position, end, out var tag) || (field = tag >> 3) == 0)
        {
            return false;
        }

        switch ((int)(tag & 7))
        {
            case Len:
                if (!TryReadVarint(payload, ref position, end, out var length) || length > (ulong)(end - position))
                {
                    return false;
                }

                body = new Body(position, (int)length);
                position += (int)length;
                return true;
            case StartGroup:
                return TrySkipGroup(payload, ref position, end);
            default:
                return TrySkipScalar(payload, ref position, end, (int)(tag & 7));
        }
    }

    /// <summary>
    /// Skips to the end-group that closes a group, counting the groups nested in it (a counter, not a stack: a million
    /// nested groups fit in a frame). Whether each end-group names its start is protobuf-net's to check.
    /// </summary>
    private static bool TrySkipGroup(byte[] payload, ref int position, int end)
    {
        for (var open = 1; open > 0;)
        {
            if (!TryReadVarint(payload, ref position, end, out var tag) || tag >> 3 == 0)
            {
                return false;
            }

            switch ((int)(tag & 7))
            {
                case StartGroup:
                    open++;
                    break;
                case EndGroup:
                    open--;
                    break;
                case Len:
                    if (!TryReadVarint(payload, ref position, end, out var length) || length > (ulong)(end - position))
                    {
                        return false;
                    }

                    position += (int)length;
                    break;
                default:
                    if (!TrySkipScalar(payload, ref position, end, (int)(tag & 7)))
                    {
                        return false;
                    }

                    break;
            }
        }

        return true;
    }

    private static bool TrySkipScalar(byte[] payload, ref int position, int end, int wireType)
    {
        switch (wireType)
        {
            case Varint:
                return TryReadVarint(payload, ref position, end, out _);
            case Fixed64 or Fixed32:
                var size = wireType == Fixed64 ? 8 : 4;
                if (end - position < size)
                {
                    return false;
                }

                position += size;
                return true;
            default:
                return false;
        }
    }

    private static bool TryReadVarint(byte[] payload, ref int position, int end, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && position < end; shift += 7)
        {
            var b = payload[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Where a length-delimited field's content lies in the payload.</summary>
    private readonly record struct Body(int Start, int Length)
    {
        public int End => Start + Length;
    }
}
