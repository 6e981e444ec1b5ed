using ProtoBuf;
using Wormhole.Reactive;

namespace Wormhole.Streams.Schema;

/// <summary>
/// What an <see cref="ActorRef{T}"/> is on the wire, for schema generation only: the fields that
/// <see cref="Transmaterialization.WireRef"/> reads and writes, with the same numbers and encodings.
/// </summary>
/// <remarks>Never serialized: the conversions exist because protobuf-net asks a surrogate for them, and throw.</remarks>
[ProtoContract]
internal sealed class ActorRefShape<T>
{
    [ProtoMember(1, DataFormat = DataFormat.FixedSize)] public ulong High { get; set; }
    [ProtoMember(2, DataFormat = DataFormat.FixedSize)] public ulong Low { get; set; }
    [ProtoMember(3)] public bool Yours { get; set; }
    [ProtoMember(4)] public uint WithinMs { get; set; }

    public static implicit operator ActorRefShape<T>?(ActorRef<T>? reference) => throw SchemaOnly();

    public static implicit operator ActorRef<T>?(ActorRefShape<T>? shape) => throw SchemaOnly();

    internal static NotSupportedException SchemaOnly() => new("reference shapes describe the schema; they are never serialized");
}
