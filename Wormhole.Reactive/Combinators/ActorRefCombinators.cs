using System.Reactive.Linq;
using Akka.Actor;

namespace Wormhole.Reactive;

/// <summary>
/// Combinators on typed references, each an Rx pipeline from an intermediate actor's mailbox to the
/// target: <c>target.Filter(p)</c> returns a new reference whose messages reach <c>target</c> when they
/// pass <c>p</c>.
/// </summary>
/// <remarks>
/// The intermediate actor is spawned in <c>factory</c> when given (e.g. an actor's <c>Context</c>, to make
/// it a child), else as a system actor of the target's actor system. It stops when the target terminates
/// and when the pipeline completes: by itself (a <c>Take</c>), or because a source feeding it through
/// <see cref="ActorRef{T}.AsObserver()"/> completed. Its completion is not passed on to the target, even a
/// combinator, which other references may feed too; to complete several operators together, put them in one
/// <see cref="Through"/>. Stop it earlier by sending it a <see cref="PoisonPill"/> or with <c>Context.Stop</c>. A user function that throws fails the intermediate actor with that exception;
/// its supervisor decides (the default restarts it, so later messages flow again). Within one message,
/// the original sender travels on to the target.
/// </remarks>
public static class ActorRefCombinators
{
    /// <summary>A reference whose messages reach <paramref name="target"/> only when they pass <paramref name="predicate"/>.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="target">Where passing messages go.</param>
    /// <param name="predicate">Decides which messages pass.</param>
    /// <param name="factory">Where to spawn the intermediate actor; null for the target's actor system.</param>
    /// <param name="name">The intermediate actor's name, or null for a generated one.</param>
    /// <returns>The filtered reference.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> or <paramref name="predicate"/> is null.</exception>
    /// <exception cref="ArgumentException">No factory was given and <paramref name="target"/> is not a local actor.</exception>
    public static ActorRef<T> Filter<T>(this ActorRef<T> target, Func<T, bool> predicate, IActorRefFactory? factory = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return target.Through<T, T>(messages => messages.Where(predicate), factory, name);
    }

    /// <summary>A reference that accepts <typeparamref name="TIn"/> and tells <paramref name="target"/> the mapped value.</summary>
    /// <typeparam name="TIn">The message type the new reference accepts.</typeparam>
    /// <typeparam name="T">The message type the target accepts.</typeparam>
    /// <param name="target">Where mapped messages go.</param>
    /// <param name="map">Maps each message.</param>
    /// <param name="factory">Where to spawn the intermediate actor; null for the target's actor system.</param>
    /// <param name="name">The intermediate actor's name, or null for a generated one.</param>
    /// <returns>The mapping reference.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> or <paramref name="map"/> is null.</exception>
    /// <exception cref="ArgumentException">No factory was given and <paramref name="target"/> is not a local actor.</exception>
    public static ActorRef<TIn> Map<TIn, T>(this ActorRef<T> target, Func<TIn, T> map, IActorRefFactory? factory = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        return target.Through<TIn, T>(messages => messages.Select(map), factory, name);
    }

    /// <summary>A reference that maps each message with <paramref name="tryMap"/> and drops those it declines.</summary>
    /// <typeparam name="TIn">The message type the new reference accepts.</typeparam>
    /// <typeparam name="T">The message type the target accepts.</typeparam>
    /// <param name="target">Where mapped messages go.</param>
    /// <param name="tryMap">Maps a message or declines it, like <c>int.TryParse</c>.</param>
    /// <param name="factory">Where to spawn the intermediate actor; null for the target's actor system.</param>
    /// <param name="name">The intermediate actor's name, or null for a generated one.</param>
    /// <returns>The filtering, mapping reference.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> or <paramref name="tryMap"/> is null.</exception>
    /// <exception cref="ArgumentException">No factory was given and <paramref name="target"/> is not a local actor.</exception>
    public static ActorRef<TIn> FilterMap<TIn, T>(this ActorRef<T> target, TryMap<TIn, T> tryMap, IActorRefFactory? factory = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(tryMap);
        return target.Through<TIn, T>(
            messages => messages
                .Select(input => (Passed: tryMap(input, out var output), Output: output))
                .Where(result => result.Passed)
                .Select(result => result.Output),
            factory,
            name);
    }

    /// <summary>
    /// A reference whose messages run through any Rx <paramref name="pipeline"/> before they reach
    /// <paramref name="target"/>; <see cref="Filter"/>, <see cref="Map"/> and <see cref="FilterMap"/> are this with one operator.
    /// </summary>
    /// <typeparam name="TIn">The message type the new reference accepts.</typeparam>
    /// <typeparam name="T">The message type the target accepts.</typeparam>
    /// <param name="target">Where the pipeline's output goes.</param>
    /// <param name="pipeline">Builds the pipeline from the intermediate actor's mailbox; called again on each restart.</param>
    /// <param name="factory">Where to spawn the intermediate actor; null for the target's actor system.</param>
    /// <param name="name">The intermediate actor's name, or null for a generated one.</param>
    /// <returns>The reference that feeds the pipeline.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> or <paramref name="pipeline"/> is null.</exception>
    /// <exception cref="ArgumentException">No factory was given and <paramref name="target"/> is not a local actor.</exception>
    public static ActorRef<TIn> Through<TIn, T>(this ActorRef<T> target, Func<IObservable<TIn>, IObservable<T>> pipeline, IActorRefFactory? factory = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(pipeline);
        var props = Props.Create(() => new CombinatorActor<TIn, T>(target.Untyped, pipeline));
        var actor = factory is null
            ? ActorSystemOf.Find(target.Untyped).SystemActorOf(props, name)
            : factory.ActorOf(props, name);
        return ActorRef<TIn>.From(actor);
    }
}
