using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;

namespace Wormhole.Streams.Portals;

/// <summary>
/// The dispatcher a portal's graph (its conduit's stages and the portal stage, fused into one actor) runs on: a socket's
/// completion runs the graph on the thread that completed it, so a frame read from the socket reaches its target actor's
/// mailbox with no thread-pool hop between (one dispatch: the target's own). Everything else — proxies' commands, timers,
/// the graph's further turns — runs on the thread pool, as on Akka's default dispatcher.
/// </summary>
/// <remarks>
/// <para>
/// Inline only where <see cref="CompletionCallback"/> says so, and never nested: while a graph runs inline, every other
/// mailbox this thread schedules (another portal's, or this graph's own next turn) goes to the thread pool, so the stack
/// stays one graph deep and a busy socket cannot keep its completing thread forever.
/// </para>
/// <para>
/// Proxies' commands are not run inline on purpose: a sender that tells in a loop would then pay a whole graph turn and a
/// socket write per message on its own thread, where the pool's turn joins the frames of many tells into one write.
/// </para>
/// </remarks>
internal sealed class PortalDispatcher : MessageDispatcher
{
    /// <summary>The dispatcher's id, for <see cref="Akka.Streams.ActorAttributes.CreateDispatcher"/>.</summary>
    public const string DispatcherId = "wormhole.portal-dispatcher";

    [ThreadStatic]
    private static bool _inlineHere;

    private PortalDispatcher(MessageDispatcherConfigurator configurator)
        : base(configurator)
    {
    }

    /// <summary>Registers the dispatcher with <paramref name="system"/>, once (later calls keep the first).</summary>
    public static void Register(ActorSystem system)
    {
        var dispatchers = system.Dispatchers;
        if (!dispatchers.HasDispatcher(DispatcherId))
        {
            var config = ConfigurationFactory.ParseString($"id = \"{DispatcherId}\"").WithFallback(dispatchers.DefaultDispatcherConfig);
            dispatchers.RegisterConfigurator(DispatcherId, new SharedConfigurator(config, dispatchers.Prerequisites));
        }
    }

    /// <summary>Runs <paramref name="callback"/> with leave to run a portal's graph it wakes on this thread.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its frame on the stack is how a test sees the inline run
    public static void RunInline<T>(Action<T> callback, T argument)
    {
        var outer = _inlineHere;
        _inlineHere = true;
        try
        {
            callback(argument);
        }
        finally
        {
            _inlineHere = outer;
        }
    }

    protected override void ExecuteTask(IRunnable run)
    {
        if (!_inlineHere)
        {
            ThreadPool.UnsafeQueueUserWorkItem(run, preferLocal: false);
            return;
        }

        _inlineHere = false;
        try
        {
            run.Run();
        }
        finally
        {
            _inlineHere = true;
        }
    }

    protected override void Shutdown()
    {
    }

    /// <summary>One dispatcher for every portal of the actor system.</summary>
    private sealed class SharedConfigurator : MessageDispatcherConfigurator
    {
        private readonly PortalDispatcher _dispatcher;

        public SharedConfigurator(Config config, IDispatcherPrerequisites prerequisites)
            : base(config, prerequisites) => _dispatcher = new PortalDispatcher(this);

        public override MessageDispatcher Dispatcher() => _dispatcher;
    }
}
