using ProtoBuf;
using ProtoBuf.Meta;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>
/// What <see cref="SubtypeFieldsFirst"/> needs to know of one message level, read from the payload model: which of its
/// field numbers are <c>[ProtoInclude]</c> subtype fields, and which hold messages (in a field, a list or a map) that can
/// hold a subtype field somewhere below. Every other field is left as it is.
/// </summary>
/// <remarks>
/// A level is one type of a hierarchy: protobuf-net writes <c>Banned : Kicked : ChatEvent</c> as
/// <c>ChatEvent { kicked = 11 { banned = 5 { … } … } … }</c>, each level with its own fields. A member of type
/// <c>Kicked</c> is written from the root, <c>ChatEvent</c>, as is a payload declared as <c>Banned</c>. A map entry is
/// a level of its own: <c>{ key = 1; value = 2; }</c>.
/// </remarks>
internal sealed class MessageShape
{
    /// <summary>Field numbers up to this are looked up in an array, quicker than the dictionary on the per-field path.</summary>
    private const int DirectLookup = 255;

    private readonly Dictionary<int, (MessageShape Shape, bool Subtype)> _fields = [];
    private (MessageShape? Shape, bool Subtype)[] _direct = [];

    private MessageShape(string name) => Name = name;

    /// <summary>The type of this level, for diagnostics.</summary>
    public string Name { get; }

    /// <summary>Whether this level has subtype fields (which <see cref="SubtypeFieldsFirst"/> moves ahead of the others).</summary>
    public bool HasSubtypes { get; private set; }

    /// <summary>Whether nothing below this level needs looking into: a subtype with no subtypes of its own, nor messages that could hold one.</summary>
    public bool IsLeaf => _fields.Count == 0;

    /// <summary>The shape of the message in <paramref name="field"/>, when it is a subtype field or a message that can hold one.</summary>
    public bool TryGetField(ulong field, out MessageShape shape, out bool subtype)
    {
        if (field < (ulong)_direct.Length)
        {
            (var found, subtype) = _direct[field];
            shape = found!;
            return found is not null;
        }

        if (field > DirectLookup && field <= int.MaxValue && _fields.TryGetValue((int)field, out var entry))
        {
            (shape, subtype) = entry;
            return true;
        }

        (shape, subtype) = (null!, false);
        return false;
    }

    /// <summary>Fills the array of the fields numbered up to <see cref="DirectLookup"/>, once the fields are final.</summary>
    private void Freeze()
    {
        var direct = _fields.Keys.Where(number => number <= DirectLookup).ToList();
        _direct = new (MessageShape?, bool)[direct.Count == 0 ? 0 : direct.Max() + 1];
        foreach (var number in direct)
        {
            _direct[number] = _fields[number];
        }
    }

    /// <summary>
    /// The shape of a payload declared as <paramref name="messageType"/>, or null when no subtype field can occur
    /// anywhere in it (then nothing needs reordering). Call under the model's lock: it may add contract types to it.
    /// </summary>
    public static MessageShape? Of(RuntimeTypeModel model, Type messageType)
    {
        var builder = new Builder(model);
        return builder.Message(messageType) is { } root && builder.Prune(root) ? root : null;
    }

    private sealed class Builder(RuntimeTypeModel model)
    {
        private readonly Dictionary<Type, MessageShape> _levels = [];

        /// <summary>The root level of <paramref name="type"/>'s hierarchy, or null when it is not a message contract.</summary>
        public MessageShape? Message(Type type)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (!type.IsDefined(typeof(ProtoContractAttribute), inherit: false) || (model.IsDefined(type) && model[type].SerializerType is not null))
            {
                return null;
            }

            var meta = model[type];
            while (meta.BaseType is { } parent)
            {
                meta = parent;
            }

            return Level(meta);
        }

        /// <summary>Keeps the subtype fields and the fields that lead to one; false when none is reachable from <paramref name="root"/>.</summary>
        public bool Prune(MessageShape root)
        {
            var useful = _levels.Values.Where(level => level.HasSubtypes).ToHashSet();
            for (var grew = true; grew;)
            {
                grew = false;
                foreach (var level in _levels.Values)
                {
                    if (!useful.Contains(level) && level._fields.Values.Any(field => useful.Contains(field.Shape)))
                    {
                        grew = useful.Add(level);
                    }
                }
            }

            foreach (var level in _levels.Values)
            {
                foreach (var (number, _) in level._fields.Where(field => !field.Value.Subtype && !useful.Contains(field.Value.Shape)).ToList())
                {
                    level._fields.Remove(number);
                }

                level.Freeze();
            }

            return useful.Contains(root);
        }

        private MessageShape Level(MetaType meta)
        {
            if (_levels.TryGetValue(meta.Type, out var level))
            {
                return level;
            }

            level = new MessageShape(meta.Type.Name);
            _levels[meta.Type] = level; // before the fields: a type may hold itself
            foreach (var subtype in meta.GetSubtypes())
            {
                level._fields[subtype.FieldNumber] = (Level(subtype.DerivedType), true);
                level.HasSubtypes = true;
            }

            foreach (var member in meta.GetFields())
            {
                if (Member(member) is { } shape)
                {
                    level._fields[member.FieldNumber] = (shape, false);
                }
            }

            return level;
        }

        /// <summary>The shape of one element of a member: a message, a map entry, or null for anything else.</summary>
        private MessageShape? Member(ValueMember member)
        {
            var element = member.ItemType ?? member.MemberType;
            if (element == typeof(string) || element == typeof(byte[]))
            {
                return null;
            }

            var entry = EnumerableOf(element) is { } inner && inner.IsGenericType && inner.GetGenericTypeDefinition() == typeof(KeyValuePair<,>)
                ? inner // a dictionary whose item type protobuf-net leaves unset
                : element;
            return entry.IsGenericType && entry.GetGenericTypeDefinition() == typeof(KeyValuePair<,>) ? MapEntry(entry) : Message(element);
        }

        private MessageShape MapEntry(Type entry)
        {
            if (_levels.TryGetValue(entry, out var level))
            {
                return level;
            }

            level = new MessageShape(entry.Name);
            _levels[entry] = level;
            var arguments = entry.GetGenericArguments();
            for (var i = 0; i < 2; i++)
            {
                if (Message(arguments[i]) is { } shape)
                {
                    level._fields[i + 1] = (shape, false);
                }
            }

            return level;
        }

        private static Type? EnumerableOf(Type type) =>
            type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
                ? type.GetGenericArguments()[0]
                : type.GetInterfaces().FirstOrDefault(candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
    }
}
