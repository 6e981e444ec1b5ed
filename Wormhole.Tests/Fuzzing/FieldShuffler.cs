using System.Reflection;
using ProtoBuf;
using Wormhole.Reactive;

namespace Wormhole.Tests.Fuzzing;

/// <summary>
/// Re-encodes a valid payload in another order a conforming encoder may write: the fields of every message
/// interleaved in any order (fields of one number keep their order, as a repeated field must), packed runs split
/// in two, at every depth. Knows which fields are messages from the .NET types' attributes, not from the
/// decoder's model, so that it checks the decoder rather than agrees with it.
/// </summary>
internal sealed class FieldShuffler(Random random)
{
    /// <summary>How the fields of each message are put in order.</summary>
    public enum Order
    {
        /// <summary>Ascending field numbers, as Go, Python and JS encoders write: a subtype field last.</summary>
        Ascending,

        /// <summary>Descending field numbers.</summary>
        Descending,

        /// <summary>A seeded random interleaving; packed runs split at a random element.</summary>
        Shuffled,
    }

    private readonly Dictionary<Type, Layout> _layouts = [];

    public byte[] Reencode(Type messageType, byte[] payload, Order order)
    {
        var nodes = ProtoNode.Parse(payload) ?? throw new ArgumentException("not a protobuf message", nameof(payload));
        Rearrange(nodes, LayoutOf(messageType), order);
        return ProtoNode.Write(nodes);
    }

    private void Rearrange(List<ProtoNode> nodes, Layout layout, Order order)
    {
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            var field = node.WireType == ProtoNode.Len ? layout.Fields.GetValueOrDefault((int)node.Field) : null;
            switch (field)
            {
                case MessageField message:
                    if (node.Children is null && node.Body.Length > 0)
                    {
                        throw new ArgumentException($"field {node.Field} should hold a message of {message.Layout.Name}, but does not parse as one");
                    }

                    node.Children ??= [];
                    Rearrange(node.Children, message.Layout, order);
                    break;
                case PackedField packed when order == Order.Shuffled:
                    node.Children = null;
                    if (SplitAt(node.Body.Span, packed.ElementSize) is { } at)
                    {
                        nodes.Insert(i + 1, new ProtoNode { Field = node.Field, WireType = ProtoNode.Len, Body = node.Body[at..] });
                        node.Body = node.Body[..at];
                        i++;
                    }

                    break;
                default:
                    node.Children = null; // a string, bytes or a packed run that happened to parse as a message
                    break;
            }
        }

        var reordered = order switch
        {
            Order.Ascending => [.. nodes.OrderBy(node => node.Field)], // stable: a repeated field keeps its order
            Order.Descending => [.. nodes.OrderByDescending(node => node.Field)],
            _ => Interleave(nodes),
        };
        nodes.Clear();
        nodes.AddRange(reordered);
    }

    /// <summary>A random interleaving of the runs of each field number, each run in its own order.</summary>
    private List<ProtoNode> Interleave(List<ProtoNode> nodes)
    {
        var queues = nodes.GroupBy(node => node.Field).Select(group => new Queue<ProtoNode>(group)).ToList();
        var result = new List<ProtoNode>(nodes.Count);
        while (queues.Count > 0)
        {
            var pick = random.Next(queues.Count);
            result.Add(queues[pick].Dequeue());
            if (queues[pick].Count == 0)
            {
                queues.RemoveAt(pick);
            }
        }

        return result;
    }

    /// <summary>A random element boundary inside a packed run of at least two elements, or null.</summary>
    private int? SplitAt(ReadOnlySpan<byte> run, int elementSize)
    {
        var boundaries = new List<int>();
        var position = 0;
        while (position < run.Length)
        {
            if (elementSize > 0)
            {
                position += elementSize;
            }
            else if (!ProtoNode.TryReadVarint(run, ref position, out _))
            {
                return null;
            }

            boundaries.Add(position);
        }

        return boundaries.Count < 2 ? null : boundaries[random.Next(boundaries.Count - 1)];
    }

    private Layout LayoutOf(Type type)
    {
        while (type.BaseType is { } parent && parent.IsDefined(typeof(ProtoContractAttribute), inherit: false))
        {
            type = parent; // protobuf-net writes a subtype from the root of its hierarchy
        }

        return LevelOf(type);
    }

    /// <summary>The fields of one level of a hierarchy: its own members and its subtypes.</summary>
    private Layout LevelOf(Type type)
    {
        if (_layouts.TryGetValue(type, out var layout))
        {
            return layout;
        }

        layout = new Layout(type.Name);
        _layouts[type] = layout;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
        {
            var arguments = type.GetGenericArguments();
            AddField(layout, 1, arguments[0], packed: false, fixedSize: false);
            AddField(layout, 2, arguments[1], packed: false, fixedSize: false);
            return layout;
        }

        foreach (var include in type.GetCustomAttributes<ProtoIncludeAttribute>(inherit: false))
        {
            layout.Fields[include.Tag] = new MessageField(LevelOf(include.KnownType));
        }

        const BindingFlags members = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        foreach (var property in type.GetProperties(members))
        {
            if (property.GetCustomAttribute<ProtoMemberAttribute>() is { } member)
            {
                AddField(layout, member.Tag, property.PropertyType, member.IsPacked, member.DataFormat == DataFormat.FixedSize);
            }
        }

        return layout;
    }

    private void AddField(Layout layout, int field, Type type, bool packed, bool fixedSize)
    {
        if (type != typeof(string) && type != typeof(byte[]) && ElementOf(type) is { } element)
        {
            if (element.IsGenericType && element.GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
            {
                layout.Fields[field] = new MessageField(LevelOf(element));
            }
            else if (packed)
            {
                layout.Fields[field] = new PackedField(ElementSize(element, fixedSize));
            }
            else
            {
                AddField(layout, field, element, packed: false, fixedSize);
            }

            return;
        }

        if (IsMessage(type))
        {
            layout.Fields[field] = new MessageField(LayoutOf(type));
        }
    }

    /// <summary>References (a <c>WireRef</c>) and protobuf-net's BCL types are messages of scalar fields: their fields are shuffled too.</summary>
    private static bool IsMessage(Type type) =>
        type.IsDefined(typeof(ProtoContractAttribute), inherit: false)
        || (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(ActorRef<>) || type.GetGenericTypeDefinition() == typeof(ReplyPort<>)))
        || type == typeof(Guid) || type == typeof(DateTime) || type == typeof(TimeSpan) || type == typeof(decimal);

    private static Type? ElementOf(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            ?.GetGenericArguments()[0];

    private static int ElementSize(Type element, bool fixedSize) => element switch
    {
        _ when element == typeof(double) => 8,
        _ when element == typeof(float) => 4,
        _ when fixedSize && (element == typeof(long) || element == typeof(ulong)) => 8,
        _ when fixedSize => 4,
        _ => 0, // varint
    };

    private sealed class Layout(string name)
    {
        public string Name { get; } = name;

        public Dictionary<int, FieldKind> Fields { get; } = [];
    }

    private abstract class FieldKind;

    private sealed class MessageField(Layout layout) : FieldKind
    {
        public Layout Layout { get; } = layout;
    }

    private sealed class PackedField(int elementSize) : FieldKind
    {
        public int ElementSize { get; } = elementSize;
    }
}
