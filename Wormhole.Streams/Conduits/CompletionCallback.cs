using Wormhole.Streams.Portals;

namespace Wormhole.Streams;

/// <summary>Wraps a stage's async callback for a socket or stream task: the task's fault is observed, and the stage runs on the completing thread.</summary>
internal static class CompletionCallback
{
    /// <summary>
    /// Marks a finished task's fault as observed before handing it to the stage: once the stage has stopped (a peer that
    /// aborted mid-read) the callback is dropped, and the fault would otherwise surface as an
    /// <see cref="TaskScheduler.UnobservedTaskException"/> on the finalizer thread. A portal's graph then runs on the
    /// thread that completed the task (<see cref="PortalDispatcher"/>): a read reaches its target with no hop between.
    /// </summary>
    public static Action<T> Of<T>(Action<T> callback)
        where T : Task =>
        task =>
        {
            _ = task.Exception;
            PortalDispatcher.RunInline(callback, task);
        };
}
