using ProtoBuf;

namespace Wormhole.Streams.Schema;

/// <summary>
/// What a stream field (<see cref="IAsyncEnumerable{T}"/>, <c>Source&lt;T, NotUsed&gt;</c>, <see cref="IObservable{T}"/>) is
/// on the wire, for schema generation only: the producer's id of the stream, as
/// <see cref="Transmaterialization.AsyncEnumerableSerializer{T}"/> and its siblings write it.
/// </summary>
/// <typeparam name="TStream">The stream field's declared type.</typeparam>
/// <remarks>
/// Never serialized. C# has no conversion operators to or from an interface, so protobuf-net is given its conversions as
/// <see cref="ProtoConverterAttribute"/> methods; they throw.
/// </remarks>
[ProtoContract]
internal sealed class StreamShape<TStream>
    where TStream : class
{
    [ProtoMember(1, DataFormat = DataFormat.FixedSize)] public ulong High { get; set; }
    [ProtoMember(2, DataFormat = DataFormat.FixedSize)] public ulong Low { get; set; }

    [ProtoConverter]
    public static StreamShape<TStream>? ToShape(TStream? stream) => throw ActorRefShape<TStream>.SchemaOnly();

    [ProtoConverter]
    public static TStream? FromShape(StreamShape<TStream>? shape) => throw ActorRefShape<TStream>.SchemaOnly();
}
