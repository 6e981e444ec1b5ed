using System.Reactive.Subjects;
using Akka.Actor;

namespace Wormhole.Reactive;

/// <summary>Spawns actors whose mailbox is seen as an <see cref="IObservable{T}"/>.</summary>
public static class ObservableMailbox
{
    /// <summary>Spawns an actor that publishes every <typeparamref name="T"/> it receives to its observers.</summary>
    /// <typeparam name="T">The type of message the actor accepts.</typeparam>
    /// <param name="factory">Where to spawn: an <see cref="ActorSystem"/> or an actor's <c>Context</c>.</param>
    /// <param name="name">The actor's name, or null for a generated one.</param>
    /// <returns>The mailbox: its actor reference and its observable.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is null.</exception>
    public static ObservableMailbox<T> Spawn<T>(IActorRefFactory factory, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var messages = new Subject<T>();
        var actor = factory.ActorOf(Props.Create(() => new ObservableMailboxActor<T>(messages)), name);
        return new ObservableMailbox<T>(ActorRef<T>.From(actor), messages);
    }
}

/// <summary>An actor whose mailbox is an observable: what is told to <see cref="Ref"/> is published to the observers of <see cref="AsObservable"/>.</summary>
/// <typeparam name="T">The type of message the actor accepts.</typeparam>
/// <remarks>
/// The observable is hot: an observer sees the messages that arrive after it subscribed, on the actor's
/// thread, one at a time. A message that arrives while nobody observes goes to dead letters (counted and
/// logged by Akka). The observable completes when the actor stops; an observer that throws fails the actor,
/// and its supervisor decides (a restart keeps the observable alive).
/// </remarks>
public sealed class ObservableMailbox<T> : IDisposable
{
    private readonly IObservable<T> _messages;

    internal ObservableMailbox(ActorRef<T> actor, IObservable<T> messages)
    {
        Ref = actor;
        _messages = messages;
    }

    /// <summary>The actor; tell it messages to publish them.</summary>
    public ActorRef<T> Ref { get; }

    /// <summary>The actor's mailbox as an observable.</summary>
    /// <returns>A hot observable of the messages the actor receives.</returns>
    public IObservable<T> AsObservable() => _messages;

    /// <summary>Stops the actor after the messages already sent to it (a <see cref="PoisonPill"/>); observers then complete.</summary>
    public void Dispose() => Ref.Untyped.Tell(PoisonPill.Instance, ActorRefs.NoSender);
}
