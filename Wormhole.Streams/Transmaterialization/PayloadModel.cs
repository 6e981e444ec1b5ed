using System.Collections.Concurrent;
using Akka.Actor;
using ProtoBuf;
using ProtoBuf.Meta;
using Wormhole.Reactive;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>
/// The protobuf-net model for message payloads, one per nexus: references and streams (<see cref="ReferenceSerializers"/>)
/// at any depth go through the portal's reference table (its <c>userState</c>), and nesting is capped.
/// </summary>
internal sealed class PayloadModel
{
    private static readonly ConcurrentDictionary<Type, Func<RuntimeTypeModel, Stream, object, object?>> Deserializers = new();
    private readonly ConcurrentDictionary<Type, string?> _prepared = new();
    private readonly ConcurrentDictionary<Type, Decoding> _decodings = new();

    public PayloadModel(int maxDepth)
    {
        Model = RuntimeTypeModel.Create("wormhole-payloads");
        Model.MaxDepth = maxDepth;
    }

    public RuntimeTypeModel Model { get; }

    /// <summary>Readies a message type: registers the serializers of the references inside it, once.</summary>
    /// <exception cref="UnsupportedMessageTypeException">The type holds a member that cannot cross a portal (see <see cref="MessageTypeCheck"/>).</exception>
    public void Prepare(Type messageType)
    {
        if (_prepared.GetOrAdd(messageType, Register) is { } problem)
        {
            throw new UnsupportedMessageTypeException(problem);
        }
    }

    /// <summary>Decodes a payload from the peer as <paramref name="messageType"/>, resolving references through <paramref name="references"/>.</summary>
    /// <remarks>
    /// Use this, not <c>Model.Deserialize(type, bytes, …)</c>: that reads through protobuf-net 3.4.40's span reader,
    /// which, given a string whose length varint straddles the end of its sub-message (<c>0A 05 0A B2 E6 8D CB | 06</c>),
    /// rents a buffer of the claimed length before it fails: 1.7 GB, or an <see cref="OutOfMemoryException"/>, for
    /// 8 bytes. The stream reader does not.
    /// Fields may come in any order, as protobuf allows: <see cref="SubtypeFieldsFirst"/> first moves the
    /// <c>[ProtoInclude]</c> subtype fields of each message ahead of the others, where protobuf-net needs them.
    /// </remarks>
    /// <exception cref="ProtoBuf.ProtoException">The payload is malformed (also <see cref="InvalidOperationException"/>, <see cref="EndOfStreamException"/> and others: the caller treats any exception as a protocol violation).</exception>
    public object? Deserialize(Type messageType, byte[] payload, IReferenceTable references)
    {
        var decoding = _decodings.GetOrAdd(messageType, static (type, model) => new Decoding(Deserializers.GetOrAdd(type, CreateDeserializer), ShapeOf(model, type)), Model);
        if (decoding.Shape is { } shape)
        {
            payload = SubtypeFieldsFirst.Apply(payload, shape, Model.MaxDepth);
        }

        using var stream = new MemoryStream(payload, writable: false);
        return decoding.Read(Model, stream, references);
    }

    /// <summary>protobuf-net's generic entry, per type: its non-generic one resolves the type's serializer on every call.</summary>
    private static Func<RuntimeTypeModel, Stream, object, object?> CreateDeserializer(Type type) =>
        (Func<RuntimeTypeModel, Stream, object, object?>)Delegate.CreateDelegate(
            typeof(Func<RuntimeTypeModel, Stream, object, object?>),
            typeof(PayloadModel).GetMethod(nameof(DeserializeAs), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.MakeGenericMethod(type));

    private static object? DeserializeAs<T>(RuntimeTypeModel model, Stream stream, object references) => model.Deserialize<T>(stream, default!, references);

    /// <summary>Encodes <paramref name="message"/> as <paramref name="messageType"/>, writing references through <paramref name="references"/>.</summary>
    public void Serialize(Type messageType, Stream stream, object message, IReferenceTable references) =>
        Serializers.GetOrAdd(messageType, CreateSerializer)(Model, stream, message, references);

    private static readonly ConcurrentDictionary<Type, Action<RuntimeTypeModel, Stream, object, object>> Serializers = new();

    private static Action<RuntimeTypeModel, Stream, object, object> CreateSerializer(Type type) =>
        (Action<RuntimeTypeModel, Stream, object, object>)Delegate.CreateDelegate(
            typeof(Action<RuntimeTypeModel, Stream, object, object>),
            typeof(PayloadModel).GetMethod(nameof(SerializeAs), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.MakeGenericMethod(type));

    private static void SerializeAs<T>(RuntimeTypeModel model, Stream stream, object message, object references) => model.Serialize(stream, (T)message, references);

    private static MessageShape? ShapeOf(RuntimeTypeModel model, Type messageType)
    {
        lock (model)
        {
            return MessageShape.Of(model, messageType);
        }
    }

    /// <summary>How to decode one message type with this model: its reader, and where its subtype fields can be (null: nowhere).</summary>
    private sealed record Decoding(Func<RuntimeTypeModel, Stream, object, object?> Read, MessageShape? Shape);

    /// <summary>The Akka ask temp actor's reply type, when <paramref name="sender"/> is one (<c>FutureActorRef&lt;T&gt;</c>).</summary>
    public static Type? AskReplyType(IActorRef sender)
    {
        for (var type = sender.GetType(); type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(FutureActorRef<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private string? Register(Type messageType)
    {
        var verdict = MessageTypeCheck.Inspect(messageType);
        if (verdict.Problem is not null)
        {
            return verdict.Problem;
        }

        lock (Model)
        {
            foreach (var reference in verdict.ReferenceTypes)
            {
                if (Model.IsDefined(reference))
                {
                    continue;
                }

                Model.Add(reference, applyDefaultBehaviour: false).SerializerType = ReferenceSerializers.For(reference);
            }

            LastBytesWin(verdict.Types);
        }

        return null;
    }

    /// <summary>
    /// A <c>byte[]</c> member that repeats on the wire keeps the last value, as protobuf specifies for a singular
    /// field; protobuf-net would otherwise append the repeats, which costs quadratic time and memory in the payload size.
    /// Runs before the types are first used (bases before subtypes), while their members can still be configured.
    /// </summary>
    private void LastBytesWin(IEnumerable<Type> types)
    {
        var contracts = types
            .Where(type => type.IsDefined(typeof(ProtoContractAttribute), inherit: false))
            .OrderBy(InheritanceDepth);
        foreach (var contract in contracts)
        {
            foreach (var member in Model[contract].GetFields())
            {
                if (member.MemberType == typeof(byte[]) && !member.OverwriteList)
                {
                    member.OverwriteList = true;
                }
            }
        }

        static int InheritanceDepth(Type type)
        {
            var depth = 0;
            for (var parent = type.BaseType; parent is not null; parent = parent.BaseType)
            {
                depth++;
            }

            return depth;
        }
    }
}
