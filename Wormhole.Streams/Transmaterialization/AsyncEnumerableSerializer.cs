using ProtoBuf;
using ProtoBuf.Serializers;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>Writes an <see cref="IAsyncEnumerable{T}"/> as a stream offered to the peer; reads one the peer offers as a stream to consume once.</summary>
/// <remarks>On the wire a stream is <c>message StreamRef { fixed64 High = 1; fixed64 Low = 2; }</c>: the producer's id of it.</remarks>
internal sealed class AsyncEnumerableSerializer<T> : ISerializer<IAsyncEnumerable<T>>
{
    public SerializerFeatures Features => SerializerFeatures.CategoryMessage | SerializerFeatures.WireTypeString;

    public void Write(ref ProtoWriter.State state, IAsyncEnumerable<T> value) =>
        new WireRef(StreamReferences.Of(state.Context).OfferStream(() => value), Yours: false).Write(ref state);

    public IAsyncEnumerable<T> Read(ref ProtoReader.State state, IAsyncEnumerable<T> value) =>
        StreamReferences.Of(state.Context).AcceptStream<T>(WireRef.Read(ref state));
}
