using ProtoBuf;

namespace Wormhole.Streams.Schema;

/// <summary>
/// What an <see cref="IAsyncEnumerable{T}"/> field is on the wire, for schema generation only: the producer's id of the stream, the fields
/// <see cref="Transmaterialization.AsyncEnumerableSerializer{T}"/> writes (<c>message StreamRef { fixed64 High = 1; fixed64 Low = 2; }</c>).
/// </summary>
/// <remarks>Never serialized: the converters exist because protobuf-net asks a surrogate for them, and throw.</remarks>
[ProtoContract]
internal sealed class AsyncEnumerableShape<T>
{
    [ProtoMember(1, DataFormat = DataFormat.FixedSize)] public ulong High { get; set; }
    [ProtoMember(2, DataFormat = DataFormat.FixedSize)] public ulong Low { get; set; }

    [ProtoConverter]
    public static AsyncEnumerableShape<T>? ToShape(IAsyncEnumerable<T>? stream) => throw ActorRefShape<T>.SchemaOnly();

    [ProtoConverter]
    public static IAsyncEnumerable<T>? FromShape(AsyncEnumerableShape<T>? shape) => throw ActorRefShape<T>.SchemaOnly();
}
