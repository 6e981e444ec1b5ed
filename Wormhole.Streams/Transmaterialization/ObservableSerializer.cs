using ProtoBuf;
using ProtoBuf.Serializers;
using Wormhole.Streams.Streaming;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>
/// Writes an <see cref="IObservable{T}"/> as a stream offered to the peer (subscribed at the peer's first demand, into a
/// bounded buffer with an overflow policy: see <see cref="ObservableBuffer"/>); reads one the peer offers as an observable
/// that may be subscribed once.
/// </summary>
internal sealed class ObservableSerializer<T> : ISerializer<IObservable<T>>
{
    public SerializerFeatures Features => SerializerFeatures.CategoryMessage | SerializerFeatures.WireTypeString;

    public void Write(ref ProtoWriter.State state, IObservable<T> value)
    {
        var table = StreamReferences.Of(state.Context);
        new WireRef(table.OfferStream(() => ObservableBuffer.For(value, table.StreamOptions, table.CountDropped)), Yours: false).Write(ref state);
    }

    public IObservable<T> Read(ref ProtoReader.State state, IObservable<T> value) =>
        new RemoteObservable<T>(StreamReferences.Of(state.Context).AcceptStream<T>(WireRef.Read(ref state)));
}
