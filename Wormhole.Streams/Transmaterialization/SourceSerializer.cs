using Akka;
using Akka.Streams.Dsl;
using ProtoBuf;
using ProtoBuf.Serializers;
using Wormhole.Streams.Streaming;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>
/// Writes an Akka <see cref="Source{TOut, TMat}"/> as a stream offered to the peer (run on the portal's materializer at the
/// peer's first demand); reads one the peer offers as a source that pulls it with backpressure, materializable once.
/// </summary>
internal sealed class SourceSerializer<T> : ISerializer<Source<T, NotUsed>>
{
    public SerializerFeatures Features => SerializerFeatures.CategoryMessage | SerializerFeatures.WireTypeString;

    public void Write(ref ProtoWriter.State state, Source<T, NotUsed> value)
    {
        var table = StreamReferences.Of(state.Context);
        new WireRef(table.OfferStream(() => value.RunAsAsyncEnumerable(table.StreamMaterializer)), Yours: false).Write(ref state);
    }

    public Source<T, NotUsed> Read(ref ProtoReader.State state, Source<T, NotUsed> value) =>
        Source.FromGraph(new RemoteSourceStage<T>(StreamReferences.Of(state.Context).AcceptStream<T>(WireRef.Read(ref state))));
}
