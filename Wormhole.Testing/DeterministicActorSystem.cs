using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;

namespace Wormhole.Testing;

/// <summary>
/// An actor system in which each message is handled on the thread that sends it, before the tell returns, so that
/// actor pipelines run in step with Rx's <c>TestScheduler</c>: a marble test sees every message reach its target at
/// the virtual time it was sent.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Config"/> runs the default dispatcher (user actors, combinators, observable mailboxes) and Akka's
/// internal dispatcher (the guardians, which start top-level actors) on Akka.TestKit's calling-thread dispatcher, runs
/// the function of each <see cref="Reactive.FnActor"/> inside its actor's receive
/// (<c>wormhole.fn-actor.run-in-receive = on</c>), and logs warnings and errors only.
/// </para>
/// <para>
/// What stays outside: a function actor that awaits anything but its messages (a <c>Task.Delay</c>, an <c>Ask</c>),
/// Akka's own scheduler (timers, receive timeouts), remote actors, and Rx operators given a scheduler other than the
/// test's. Give every time-based operator the test's scheduler.
/// </para>
/// </remarks>
public static class DeterministicActorSystem
{
    private static readonly Type CallingThread = typeof(CallingThreadDispatcherConfigurator);

    /// <summary>The configuration; pass it to Akka.TestKit's <c>TestKit</c> constructor, or use <see cref="Create"/>.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString($"""
        akka.actor.default-dispatcher.type = "{CallingThread.FullName}, {CallingThread.Assembly.GetName().Name}"
        # The /user guardian runs on the internal dispatcher and starts top-level actors (draining what was sent to them meanwhile): it must call through too.
        akka.actor.internal-dispatcher.type = "{CallingThread.FullName}, {CallingThread.Assembly.GetName().Name}"
        wormhole.fn-actor.run-in-receive = on
        akka.loglevel = WARNING
        """);

    /// <summary>Creates an actor system configured by <see cref="Config"/>, for tests that do without Akka.TestKit's <c>TestKit</c>.</summary>
    /// <param name="name">The actor system's name.</param>
    /// <param name="config">Settings of your own, which take precedence over <see cref="Config"/>; null for none.</param>
    /// <returns>The actor system; dispose it (or <c>Terminate</c> it) at the end of the test.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public static ActorSystem Create(string name = "marbles", Config? config = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ActorSystem.Create(name, config is null ? Config : config.WithFallback(Config));
    }
}
