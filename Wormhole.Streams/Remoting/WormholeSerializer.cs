using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using ProtoBuf;
using Wormhole.Streams.Remoting;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams;

/// <summary>
/// Akka's serializer for Wormhole contract messages between cluster nodes (Akka.Remote): the message as protobuf-net writes
/// it for a portal, with each <c>ActorRef&lt;T&gt;</c> and <c>ReplyPort&lt;T&gt;</c> inside as its Akka actor path. A Wormhole
/// proxy crosses as the path of the proxy on the node that holds its portal, so a node that tells it, replies to it or
/// watches it reaches the portal's peer through that node. Bind it with <see cref="WormholeSerialization.Config"/>.
/// </summary>
/// <remarks>
/// Streams (<c>IAsyncEnumerable</c>, <c>IObservable</c>, <c>Source</c>) do not cross Akka.Remote: such a message fails to
/// serialize, naming the field. A manifest names a type; only types this serializer is bound to are read.
/// </remarks>
public sealed class WormholeSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer's identifier in Akka's registry (<c>"WH"</c>).</summary>
    public const int SerializerId = 0x5748;

    private readonly PayloadModel _payloads = new(maxDepth: 64);

    /// <summary>Made by Akka's serialization, once per actor system.</summary>
    /// <param name="system">The actor system.</param>
    public WormholeSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <inheritdoc/>
    public override int Identifier => SerializerId;

    /// <summary>The type's name and assembly, as <c>serialization-bindings</c> write it.</summary>
    /// <param name="type">A contract type.</param>
    /// <returns>E.g. <c>Chat.Contracts.Connect, Chat.Contracts</c>.</returns>
    public static string TypeName(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return $"{type.FullName}, {type.Assembly.GetName().Name}";
    }

    /// <inheritdoc/>
    public override string Manifest(object o) => TypeName(o.GetType());

    /// <inheritdoc/>
    public override byte[] ToBinary(object obj)
    {
        var type = obj.GetType();
        var references = new PathReferences(system);
        using var payload = new MemoryStream();
        try
        {
            _payloads.Prepare(type);
            _payloads.Serialize(type, payload, obj, references);
        }
        catch (Exception e) when (e is UnsupportedMessageTypeException or InvalidOperationException or ProtoException)
        {
            throw new SerializationException($"{type.Name} cannot cross Akka.Remote with the Wormhole serializer: {e.Message}", e);
        }

        using var message = new MemoryStream();
        using (var writer = new BinaryWriter(message, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write7BitEncodedInt(references.Written.Count);
            foreach (var path in references.Written)
            {
                writer.Write(path);
            }
        }

        payload.Position = 0;
        payload.CopyTo(message);
        return message.ToArray();
    }

    /// <inheritdoc/>
    public override object FromBinary(byte[] bytes, string manifest)
    {
        var type = BoundType(manifest);
        using var message = new MemoryStream(bytes, writable: false);
        using var reader = new BinaryReader(message, Encoding.UTF8);
        var paths = new string[reader.Read7BitEncodedInt()];
        for (var i = 0; i < paths.Length; i++)
        {
            paths[i] = reader.ReadString();
        }

        _payloads.Prepare(type);
        return _payloads.Deserialize(type, bytes[(int)message.Position..], new PathReferences(system, paths))
            ?? throw new SerializationException($"an empty {type.Name}");
    }

    /// <summary>The type <paramref name="manifest"/> names, when this serializer is the one bound to it.</summary>
    private Type BoundType(string manifest)
    {
        var type = Type.GetType(manifest, throwOnError: false);
        if (type is null || !type.IsDefined(typeof(ProtoContractAttribute), inherit: false) || system.Serialization.FindSerializerForType(type).Identifier != Identifier)
        {
            throw new SerializationException($"the Wormhole serializer reads only the [ProtoContract] types bound to it, not \"{manifest}\"");
        }

        return type;
    }
}
