namespace Wormhole.Tests.Fuzzing;

/// <summary>
/// One protobuf field as the mutator sees it: a tag and a body, the body of a length-delimited field
/// parsed further as a message when it parses cleanly. Written back with lengths recomputed, unless a
/// mutation set a lying <see cref="LengthOverride"/>, a flipped <see cref="TagWireType"/> or <see cref="Verbatim"/> bytes.
/// </summary>
internal sealed class ProtoNode
{
    public const int Varint = 0, Fixed64 = 1, Len = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5;

    public ulong Field { get; set; }

    public int WireType { get; set; }

    /// <summary>The encoded value: varint bytes, 8 or 4 fixed bytes, or the content of a length-delimited field.</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    /// <summary>The body of a length-delimited field parsed as a message; written instead of <see cref="Body"/> when set.</summary>
    public List<ProtoNode>? Children { get; set; }

    /// <summary>A length prefix that lies about the body that follows.</summary>
    public ulong? LengthOverride { get; set; }

    /// <summary>A wire type written in the tag that disagrees with the body.</summary>
    public int? TagWireType { get; set; }

    /// <summary>The whole field, tag included, written as is (deep nests, raw group runs).</summary>
    public byte[]? Verbatim { get; set; }

    public ProtoNode Clone() => new()
    {
        Field = Field,
        WireType = WireType,
        Body = Body,
        Children = Children?.Select(child => child.Clone()).ToList(),
        LengthOverride = LengthOverride,
        TagWireType = TagWireType,
        Verbatim = Verbatim,
    };

    /// <summary>The length of the content of a length-delimited field, as measured before writing.</summary>
    private int _contentLength;

    /// <summary>Parses a whole buffer as a sequence of fields, or null when it is not one; bodies are slices of it, not copies.</summary>
    public static List<ProtoNode>? Parse(ReadOnlyMemory<byte> memory, int depth = 0)
    {
        var bytes = memory.Span;
        var nodes = new List<ProtoNode>();
        var position = 0;
        while (position < bytes.Length)
        {
            if (!TryReadVarint(bytes, ref position, out var tag) || tag >> 3 == 0)
            {
                return null;
            }

            var node = new ProtoNode { Field = tag >> 3, WireType = (int)(tag & 7) };
            var start = position;
            switch (node.WireType)
            {
                case Varint:
                    if (!TryReadVarint(bytes, ref position, out _))
                    {
                        return null;
                    }

                    node.Body = memory[start..position];
                    break;
                case Fixed64 or Fixed32:
                    var size = node.WireType == Fixed64 ? 8 : 4;
                    if (bytes.Length - position < size)
                    {
                        return null;
                    }

                    position += size;
                    node.Body = memory[start..position];
                    break;
                case Len:
                    if (!TryReadVarint(bytes, ref position, out var length) || length > (ulong)(bytes.Length - position))
                    {
                        return null;
                    }

                    node.Body = memory.Slice(position, (int)length);
                    position += (int)length;
                    node.Children = depth < 32 && length > 0 ? Parse(node.Body, depth + 1) : null;
                    break;
                case StartGroup or EndGroup:
                    break;
                default:
                    return null;
            }

            nodes.Add(node);
        }

        return nodes;
    }

    public static byte[] Write(List<ProtoNode> nodes)
    {
        var output = new byte[Measure(nodes)];
        var position = 0;
        WriteAll(nodes, output, ref position);
        return output;
    }

    public static bool TryReadVarint(ReadOnlySpan<byte> bytes, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && position < bytes.Length; shift += 7)
        {
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    public static void WriteVarint(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }

        output.Add((byte)value);
    }

    public static int VarintLength(ulong value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    /// <summary>All nodes at any depth, each with the list that holds it.</summary>
    public static void Flatten(List<ProtoNode> nodes, List<(List<ProtoNode> Siblings, int Index)> into)
    {
        for (var i = 0; i < nodes.Count; i++)
        {
            into.Add((nodes, i));
            if (nodes[i].Children is { } children)
            {
                Flatten(children, into);
            }
        }
    }

    /// <summary>Sizes every node bottom-up once, so that writing is linear however deep the tree.</summary>
    private static long Measure(List<ProtoNode> nodes)
    {
        long total = 0;
        foreach (var node in nodes)
        {
            if (node.Verbatim is not null)
            {
                total += node.Verbatim.Length;
                continue;
            }

            total += VarintLength((node.Field << 3) | (uint)(node.TagWireType ?? node.WireType));
            if (node.WireType != Len)
            {
                total += node.Body.Length;
                continue;
            }

            node._contentLength = (int)(node.Children is null ? node.Body.Length : Measure(node.Children));
            total += VarintLength(node.LengthOverride ?? (ulong)node._contentLength) + node._contentLength;
        }

        return total;
    }

    private static void WriteAll(List<ProtoNode> nodes, byte[] output, ref int position)
    {
        foreach (var node in nodes)
        {
            if (node.Verbatim is not null)
            {
                node.Verbatim.CopyTo(output, position);
                position += node.Verbatim.Length;
                continue;
            }

            WriteVarint(output, ref position, (node.Field << 3) | (uint)(node.TagWireType ?? node.WireType));
            if (node.WireType == Len)
            {
                WriteVarint(output, ref position, node.LengthOverride ?? (ulong)node._contentLength);
                if (node.Children is not null)
                {
                    WriteAll(node.Children, output, ref position);
                    continue;
                }
            }

            node.Body.Span.CopyTo(output.AsSpan(position));
            position += node.Body.Length;
        }
    }

    private static void WriteVarint(byte[] output, ref int position, ulong value)
    {
        while (value >= 0x80)
        {
            output[position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        output[position++] = (byte)value;
    }
}
