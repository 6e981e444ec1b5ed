using Akka.Actor;

namespace Wormhole.Reactive;

/// <summary>What every <see cref="ActorRef{T}"/> has whatever its <c>T</c>: the untyped reference, for equality across message types.</summary>
internal interface ITypedActorRef
{
    /// <summary>The untyped Akka reference.</summary>
    IActorRef Untyped { get; }
}
