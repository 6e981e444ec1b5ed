using ProtoBuf;
using ProtoBuf.Serializers;
using Wormhole.Reactive;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>Writes a <see cref="ReplyPort{T}"/> as a one-shot <see cref="WireRef"/> carrying its remaining time.</summary>
internal sealed class ReplyPortSerializer<T> : ISerializer<ReplyPort<T>>
{
    public SerializerFeatures Features => SerializerFeatures.CategoryMessage | SerializerFeatures.WireTypeString;

    public void Write(ref ProtoWriter.State state, ReplyPort<T> value) =>
        ActorRefSerializer<T>.Table(state.Context).ExportReplyPort(value.Target, typeof(T), value.Remaining).Write(ref state);

    public ReplyPort<T> Read(ref ProtoReader.State state, ReplyPort<T> value) =>
        ActorRefSerializer<T>.Table(state.Context).ImportReplyPort<T>(WireRef.Read(ref state));
}
