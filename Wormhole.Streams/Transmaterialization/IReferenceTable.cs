using Akka.Actor;
using Wormhole.Reactive;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>
/// What the serializers of <c>ActorRef&lt;T&gt;</c> and <c>ReplyPort&lt;T&gt;</c> ask of the portal they run for
/// (passed as protobuf-net's <c>userState</c>). Called on the portal's stage thread only.
/// </summary>
internal interface IReferenceTable
{
    /// <summary>Outbound: the wire form of an actor that accepts <paramref name="messageType"/>.</summary>
    WireRef Export(IActorRef actor, Type messageType);

    /// <summary>Inbound: the local actor or proxy for a wire reference to an actor that accepts <paramref name="messageType"/>.</summary>
    IActorRef Import(WireRef reference, Type messageType);

    /// <summary>Outbound: a one-shot publication of a reply target, open for <paramref name="remaining"/>.</summary>
    WireRef ExportReplyPort(IActorRef target, Type replyType, TimeSpan remaining);

    /// <summary>Inbound: a reply port to the local target or to a one-shot proxy; the same wire id within a portal yields the same port.</summary>
    ReplyPort<T> ImportReplyPort<T>(WireRef reference);
}
