using ProtoBuf;
using ProtoBuf.Serializers;
using Wormhole.Reactive;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>Writes an <see cref="ActorRef{T}"/> as a <see cref="WireRef"/>, publishing or resolving it through the portal in <c>userState</c>.</summary>
internal sealed class ActorRefSerializer<T> : ISerializer<ActorRef<T>>
{
    public SerializerFeatures Features => SerializerFeatures.CategoryMessage | SerializerFeatures.WireTypeString;

    public void Write(ref ProtoWriter.State state, ActorRef<T> value) =>
        Table(state.Context).Export(value.Untyped, typeof(T)).Write(ref state);

    public ActorRef<T> Read(ref ProtoReader.State state, ActorRef<T> value) =>
        ActorRef<T>.From(Table(state.Context).Import(WireRef.Read(ref state), typeof(T)));

    internal static IReferenceTable Table(ISerializationContext context) =>
        context.UserState as IReferenceTable
        ?? throw new InvalidOperationException("Actor references serialize only inside a portal (no reference table in userState).");
}
