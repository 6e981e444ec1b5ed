using Akka.Actor;
using Akka.Actor.Internal;

namespace Wormhole.Reactive;

/// <summary>Finds the actor system a local reference belongs to.</summary>
internal static class ActorSystemOf
{
    public static ExtendedActorSystem Find(IActorRef actor) => actor switch
    {
        ActorRefWithCell { Underlying.System: ExtendedActorSystem system } => system,
        IInternalActorRef { Provider.Guardian.Underlying.System: ExtendedActorSystem system } => system,
        _ => throw new ArgumentException(
            $"{actor.Path} is not a local actor reference, so its actor system is unknown; pass an IActorRefFactory to spawn the combinator in.",
            nameof(actor)),
    };
}
