using ProtoBuf;
using Wormhole.Reactive;

namespace Wormhole.Streams.Schema;

/// <summary>What a <see cref="ReplyPort{T}"/> is on the wire, for schema generation only: the same fields as <see cref="ActorRefShape{T}"/>.</summary>
[ProtoContract]
internal sealed class ReplyPortShape<T>
{
    [ProtoMember(1, DataFormat = DataFormat.FixedSize)] public ulong High { get; set; }
    [ProtoMember(2, DataFormat = DataFormat.FixedSize)] public ulong Low { get; set; }
    [ProtoMember(3)] public bool Yours { get; set; }
    [ProtoMember(4)] public uint WithinMs { get; set; }

    public static implicit operator ReplyPortShape<T>?(ReplyPort<T>? port) => throw ActorRefShape<T>.SchemaOnly();

    public static implicit operator ReplyPort<T>?(ReplyPortShape<T>? shape) => throw ActorRefShape<T>.SchemaOnly();
}
