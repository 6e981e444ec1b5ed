using Akka.Actor;

namespace Wormhole.Reactive;

/// <summary>Spawns actors written as one async function.</summary>
public static class FnActor
{
    /// <summary>
    /// Spawns an actor whose whole life is <paramref name="body"/>: it reads its messages from
    /// <see cref="FnActorContext{T}.Messages"/>, the actor stops when the function returns, and an
    /// exception it throws is a failure of the actor that its supervisor handles.
    /// </summary>
    /// <typeparam name="T">The type of message the actor accepts; other messages are unhandled.</typeparam>
    /// <param name="factory">Where to spawn: an <see cref="ActorSystem"/> (top level) or an actor's <c>Context</c> (a child).</param>
    /// <param name="body">The actor. It runs on the thread pool, outside the actor's mailbox processing (but see the remarks).</param>
    /// <param name="name">The actor's name, or null for a generated one.</param>
    /// <returns>A reference to the new actor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> or <paramref name="body"/> is null.</exception>
    /// <remarks>
    /// <para>
    /// When the supervisor restarts the actor, the function runs again from the start. Messages not yet
    /// read when the actor stops go to dead letters.
    /// </para>
    /// <para>
    /// For deterministic tests, the actor system's configuration can set
    /// <c>wormhole.fn-actor.run-in-receive = on</c> (off by default; Wormhole.Testing's
    /// <c>DeterministicActorSystem</c> sets it). The function then starts when the actor starts and, after each
    /// await on its messages, resumes inside the receive of the next message, on the dispatcher's thread, not on
    /// the thread pool. On a calling-thread dispatcher a tell returns after the function has handled the message,
    /// as long as it awaits nothing else. Outside tests leave it off: a busy function would hold the dispatcher.
    /// </para>
    /// </remarks>
    public static ActorRef<T> Spawn<T>(IActorRefFactory factory, Func<FnActorContext<T>, Task> body, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(body);
        var props = Props.Create(() => new FnActorHost<T>(body));
        return ActorRef<T>.From(factory.ActorOf(props, name));
    }
}
