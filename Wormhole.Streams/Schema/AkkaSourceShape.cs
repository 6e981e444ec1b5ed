using Akka;
using Akka.Streams.Dsl;
using ProtoBuf;

namespace Wormhole.Streams.Schema;

/// <summary>
/// What an Akka <c>Source&lt;T, NotUsed&gt;</c> field is on the wire, for schema generation only: the producer's id of
/// the stream, the fields <see cref="Transmaterialization.SourceSerializer{T}"/> writes
/// (<c>message StreamRef { fixed64 High = 1; fixed64 Low = 2; }</c>).
/// </summary>
/// <remarks>Never serialized: the converters exist because protobuf-net asks a surrogate for them, and throw.</remarks>
[ProtoContract]
internal sealed class AkkaSourceShape<T>
{
    [ProtoMember(1, DataFormat = DataFormat.FixedSize)] public ulong High { get; set; }
    [ProtoMember(2, DataFormat = DataFormat.FixedSize)] public ulong Low { get; set; }

    [ProtoConverter]
    public static AkkaSourceShape<T>? ToShape(Source<T, NotUsed>? stream) => throw ActorRefShape<T>.SchemaOnly();

    [ProtoConverter]
    public static Source<T, NotUsed>? FromShape(AkkaSourceShape<T>? shape) => throw ActorRefShape<T>.SchemaOnly();
}
