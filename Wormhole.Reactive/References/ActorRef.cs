using Akka.Actor;

namespace Wormhole.Reactive;

/// <summary>
/// A typed reference to an actor that accepts messages of type <typeparamref name="T"/>:
/// a thin, immutable, equatable wrapper over Akka's <see cref="IActorRef"/>.
/// </summary>
/// <typeparam name="T">The type of message the actor accepts.</typeparam>
/// <remarks>
/// Two references are equal when they wrap equal <see cref="IActorRef"/>s, whatever their
/// <typeparamref name="T"/>. Copying one copies a single object reference. The type is not
/// checked at run time: <see cref="From"/> trusts the caller that the actor handles
/// <typeparamref name="T"/>, the way Akka trusts the sender of any message.
/// </remarks>
public sealed partial class ActorRef<T> : IEquatable<ActorRef<T>>, ITypedActorRef
{
    private ActorRef(IActorRef untyped) => Untyped = untyped;

    /// <summary>The untyped Akka reference this wraps.</summary>
    public IActorRef Untyped { get; }

    /// <summary>The path of the referenced actor.</summary>
    public ActorPath Path => Untyped.Path;

    /// <summary>Wraps an untyped reference.</summary>
    /// <param name="untyped">The actor, which must handle messages of type <typeparamref name="T"/>.</param>
    /// <returns>The typed reference.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="untyped"/> is null.</exception>
    public static ActorRef<T> From(IActorRef untyped)
    {
        ArgumentNullException.ThrowIfNull(untyped);
        return new ActorRef<T>(untyped);
    }

    /// <summary>
    /// Sends <paramref name="message"/> to the actor, fire and forget. The sender is <paramref name="sender"/>, or else
    /// the current actor when called from inside one (a function actor's function included, after any await), or else none.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="sender">The sender the receiver sees; null for the implicit sender.</param>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public void Tell(T message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        Untyped.Tell(message, sender ?? ImplicitSender.Current);
    }

    /// <inheritdoc />
    public bool Equals(ActorRef<T>? other) => other is not null && Untyped.Equals(other.Untyped);

    /// <summary>True when <paramref name="obj"/> is an <see cref="ActorRef{T}"/> of any message type that wraps an equal <see cref="IActorRef"/>.</summary>
    /// <param name="obj">The object to compare with.</param>
    /// <returns>True when both reference the same actor.</returns>
    public override bool Equals(object? obj) => obj is ITypedActorRef other && Untyped.Equals(other.Untyped);

    /// <inheritdoc />
    public override int GetHashCode() => Untyped.GetHashCode();

    /// <summary>Compares two references for equality.</summary>
    /// <param name="left">The first reference.</param>
    /// <param name="right">The second reference.</param>
    /// <returns>True when both are null or both reference the same actor.</returns>
    public static bool operator ==(ActorRef<T>? left, ActorRef<T>? right) => Equals(left, right);

    /// <summary>Compares two references for inequality.</summary>
    /// <param name="left">The first reference.</param>
    /// <param name="right">The second reference.</param>
    /// <returns>False when both are null or both reference the same actor.</returns>
    public static bool operator !=(ActorRef<T>? left, ActorRef<T>? right) => !Equals(left, right);

    /// <inheritdoc />
    public override string ToString() => $"ActorRef<{typeof(T).Name}>({Untyped.Path})";
}
