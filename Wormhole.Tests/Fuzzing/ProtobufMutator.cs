namespace Wormhole.Tests.Fuzzing;

/// <summary>
/// Mutates protobuf encodings, deterministically for one <see cref="Random"/>: mostly structure-aware
/// (wire types, length prefixes, fields duplicated, removed, renumbered, spliced from other inputs,
/// nested deeply, huge varints, lying collection claims), the rest byte-level (bit flips, truncation,
/// insertion, deletion, crossover). Lengths of enclosing messages are recomputed unless a mutation lies on purpose.
/// </summary>
internal sealed class ProtobufMutator(Random random, IReadOnlyList<int> nestDepths)
{
    private static readonly ulong[] LyingLengths =
        [0, 1, 127, 128, 16_383, 16_384, 1_000_000, 1_000_000_000, int.MaxValue, 0x8000_0000, uint.MaxValue, 1UL << 40, ulong.MaxValue];

    private static readonly byte[][] HugeVarints =
    [
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], // ulong.MaxValue, -1 as int64
        [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], // overlong zero, 11 bytes
        [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], // uint.MaxValue
        [0xFF, 0xFF, 0xFF, 0xFF, 0x07], // int.MaxValue
        [0x80, 0x80, 0x80, 0x80, 0x08], // int.MinValue as uint32
        [0x80, 0x80, 0x80, 0x80, 0x10], // 2^32
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], // 2^63 - 1
        [0x80, 0x00], // overlong zero, 2 bytes
        [0x00], [0x01], [0x7F], [0x02],
    ];

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x02, 0x07, 0x08, 0x0A, 0x12, 0x7F, 0x80, 0xFF];

    /// <summary>Returns a new input made from <paramref name="parent"/> by one to four stacked mutations.</summary>
    public byte[] Mutate(byte[] parent, IReadOnlyList<byte[]> donors)
    {
        var input = parent;
        var rounds = 1 + random.Next(4);
        for (var round = 0; round < rounds; round++)
        {
            input = random.Next(10) < 7 && ProtoNode.Parse(input) is { Count: > 0 } tree
                ? MutateStructure(tree, donors)
                : MutateBytes(input, donors);
        }

        return input;
    }

    private byte[] MutateStructure(List<ProtoNode> tree, IReadOnlyList<byte[]> donors)
    {
        var all = new List<(List<ProtoNode> Siblings, int Index)>();
        ProtoNode.Flatten(tree, all);
        var (siblings, index) = all[random.Next(all.Count)];
        var node = siblings[index];
        switch (random.Next(14))
        {
            case 0: // flip the wire type in the tag, keep the body
                node.TagWireType = (node.WireType + 1 + random.Next(7)) & 7;
                break;
            case 1: // a length prefix that lies
                if (node.WireType == ProtoNode.Len)
                {
                    var actual = (ulong)(node.Children is null ? node.Body.Length : ProtoNode.Write(node.Children).Length);
                    node.LengthOverride = random.Next(3) == 0 ? actual + (ulong)random.Next(1, 9) : Pick(LyingLengths);
                }
                else
                {
                    siblings.Insert(index, Claim(node.Field));
                }

                break;
            case 2: // duplicate a field
                siblings.Insert(random.Next(siblings.Count + 1), node.Clone());
                break;
            case 3: // remove a field
                siblings.RemoveAt(index);
                break;
            case 4: // a huge or odd value
                ReplaceValue(node);
                break;
            case 5: // a field from another input
                siblings.Insert(random.Next(siblings.Count + 1), DonorNode(donors) ?? node.Clone());
                break;
            case 6: // nest deeply
                siblings[index] = Nest(node, Pick(nestDepths));
                break;
            case 7: // renumber
                node.Field = random.Next(4) switch
                {
                    0 => (ulong)random.Next(1, 2048),
                    1 => 536_870_911, // the largest field number
                    2 => (ulong)int.MaxValue,
                    _ => (ulong)random.Next(1, 13),
                };
                break;
            case 8: // swap with a sibling
                var other = random.Next(siblings.Count);
                (siblings[index], siblings[other]) = (siblings[other], siblings[index]);
                break;
            case 9: // an unknown field of any wire type
                siblings.Insert(random.Next(siblings.Count + 1), RandomField());
                break;
            case 10: // runs of groups: nested, unterminated or stray ends
                siblings.Insert(index, Groups(node.Field));
                break;
            case 11: // mutate a leaf body byte by byte (strings, packed runs, ids)
                node.Children = null;
                node.Body = node.Body.Length == 0 ? RandomBytes(1 + random.Next(8)) : MutateBytes(node.Body.ToArray(), donors);
                if (node.WireType is ProtoNode.Fixed64 or ProtoNode.Fixed32)
                {
                    node.LengthOverride = null;
                }

                break;
            case 12: // a collection or string that claims billions and carries a few bytes
                siblings.Insert(random.Next(siblings.Count + 1), Claim(node.Field));
                break;
            default: // many repeats of one field (a long list or map), up to about 64 KiB of them
                var size = Math.Max(1, ProtoNode.Write([node]).Length);
                var copies = Math.Min(random.Next(2) == 0 ? random.Next(2, 16) : random.Next(16, 1_000), Math.Max(1, (64 * 1024) / size));
                for (var i = 0; i < copies; i++)
                {
                    siblings.Insert(index, node.Clone());
                }

                break;
        }

        return ProtoNode.Write(tree);
    }

    private byte[] MutateBytes(byte[] input, IReadOnlyList<byte[]> donors)
    {
        var bytes = new List<byte>(input);
        switch (random.Next(7))
        {
            case 0 when bytes.Count > 0: // bit flip
                var at = random.Next(bytes.Count);
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when bytes.Count > 0: // an interesting byte
                bytes[random.Next(bytes.Count)] = Pick(InterestingBytes);
                break;
            case 2 when bytes.Count > 0: // truncate
                var length = random.Next(bytes.Count);
                bytes.RemoveRange(length, bytes.Count - length);
                break;
            case 3 when bytes.Count > 0: // delete a range
                var from = random.Next(bytes.Count);
                bytes.RemoveRange(from, random.Next(1, Math.Min(16, bytes.Count - from) + 1));
                break;
            case 4 when bytes.Count > 0: // duplicate a range
                var start = random.Next(bytes.Count);
                var run = bytes.GetRange(start, random.Next(1, Math.Min(32, bytes.Count - start) + 1));
                bytes.InsertRange(random.Next(bytes.Count + 1), run);
                break;
            case 5 when donors.Count > 0: // crossover: a prefix of this, a suffix of another
                var donor = donors[random.Next(donors.Count)];
                var keepBytes = random.Next(bytes.Count + 1);
                bytes.RemoveRange(keepBytes, bytes.Count - keepBytes);
                bytes.AddRange(donor.AsSpan(random.Next(donor.Length + 1)).ToArray());
                break;
            default: // insert random bytes
                bytes.InsertRange(random.Next(bytes.Count + 1), RandomBytes(1 + random.Next(8)));
                break;
        }

        return [.. bytes];
    }

    private void ReplaceValue(ProtoNode node)
    {
        node.Children = null;
        node.LengthOverride = null;
        switch (node.WireType)
        {
            case ProtoNode.Varint:
                node.Body = random.Next(4) == 0 ? VarintOf(RandomULong()) : Pick(HugeVarints);
                break;
            case ProtoNode.Fixed64 or ProtoNode.Fixed32:
                node.Body = random.Next(2) == 0 ? Enumerable.Repeat((byte)0xFF, node.Body.Length).ToArray() : RandomBytes(node.Body.Length);
                break;
            case ProtoNode.Len:
                node.Body = random.Next(3) switch
                {
                    0 => Array.Empty<byte>(),
                    1 => [0xC3, 0x28, 0xED, 0xA0, 0x80, 0xFF], // invalid UTF-8
                    _ => RandomBytes(random.Next(1, 4) == 1 ? random.Next(256, 4096) : random.Next(1, 24)),
                };
                break;
        }
    }

    /// <summary>A length-delimited field whose prefix claims far more than the bytes that follow.</summary>
    private ProtoNode Claim(ulong field) => new()
    {
        Field = field,
        WireType = ProtoNode.Len,
        Body = RandomBytes(random.Next(0, 12)),
        LengthOverride = Pick(LyingLengths[5..]),
    };

    /// <summary><paramref name="node"/> wrapped in <paramref name="depth"/> messages of its own field number, built inside out without recursion.</summary>
    private ProtoNode Nest(ProtoNode node, int depth)
    {
        var inner = ProtoNode.Write([node]);
        var useGroups = random.Next(4) == 0;
        var field = node.Field;
        var startTag = ProtoNode.VarintLength((field << 3) | ProtoNode.Len);
        var sizes = new long[depth + 1];
        sizes[0] = inner.Length;
        for (var i = 1; i <= depth; i++)
        {
            sizes[i] = useGroups
                ? sizes[i - 1] + (2 * ProtoNode.VarintLength(field << 3))
                : sizes[i - 1] + startTag + ProtoNode.VarintLength((ulong)sizes[i - 1]);
        }

        var output = new List<byte>((int)Math.Min(sizes[depth], 1 << 24));
        for (var i = depth; i >= 1; i--)
        {
            if (useGroups)
            {
                ProtoNode.WriteVarint(output, (field << 3) | ProtoNode.StartGroup);
            }
            else
            {
                ProtoNode.WriteVarint(output, (field << 3) | ProtoNode.Len);
                ProtoNode.WriteVarint(output, (ulong)sizes[i - 1]);
            }
        }

        output.AddRange(inner);
        for (var i = 0; useGroups && i < depth; i++)
        {
            ProtoNode.WriteVarint(output, (field << 3) | ProtoNode.EndGroup);
        }

        return new ProtoNode { Field = field, WireType = ProtoNode.Len, Verbatim = [.. output] };
    }

    private ProtoNode Groups(ulong field)
    {
        var output = new List<byte>();
        var depth = Pick(nestDepths);
        var closed = random.Next(3); // 0: unterminated, 1: balanced, 2: a stray end or a mismatched one
        for (var i = 0; i < depth; i++)
        {
            ProtoNode.WriteVarint(output, (field << 3) | ProtoNode.StartGroup);
        }

        for (var i = 0; closed == 1 && i < depth; i++)
        {
            ProtoNode.WriteVarint(output, (field << 3) | ProtoNode.EndGroup);
        }

        if (closed == 2)
        {
            ProtoNode.WriteVarint(output, ((field + 1) << 3) | ProtoNode.EndGroup);
        }

        return new ProtoNode { Field = field, WireType = ProtoNode.StartGroup, Verbatim = [.. output] };
    }

    private ProtoNode RandomField()
    {
        var node = new ProtoNode { Field = (ulong)random.Next(1, 40), WireType = random.Next(8) };
        node.Body = node.WireType switch
        {
            ProtoNode.Varint => Pick(HugeVarints),
            ProtoNode.Fixed64 => RandomBytes(8),
            ProtoNode.Fixed32 => RandomBytes(4),
            ProtoNode.Len => RandomBytes(random.Next(0, 16)),
            _ => [],
        };
        return node;
    }

    private ProtoNode? DonorNode(IReadOnlyList<byte[]> donors)
    {
        if (donors.Count == 0 || ProtoNode.Parse(donors[random.Next(donors.Count)]) is not { Count: > 0 } tree)
        {
            return null;
        }

        var all = new List<(List<ProtoNode> Siblings, int Index)>();
        ProtoNode.Flatten(tree, all);
        var (siblings, index) = all[random.Next(all.Count)];
        return siblings[index];
    }

    private byte[] VarintOf(ulong value)
    {
        var output = new List<byte>(10);
        ProtoNode.WriteVarint(output, value);
        return [.. output];
    }

    private ulong RandomULong() => (ulong)random.NextInt64() << random.Next(2);

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
