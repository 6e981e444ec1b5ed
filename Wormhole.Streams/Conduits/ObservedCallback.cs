namespace Wormhole.Streams;

/// <summary>Wraps a stage's async callback for a socket or stream task so the task's fault is always observed.</summary>
internal static class ObservedCallback
{
    /// <summary>
    /// Marks a finished task's fault as observed before handing it to the stage: once the stage has stopped (a peer that
    /// aborted mid-read) the callback is dropped, and the fault would otherwise surface as an
    /// <see cref="TaskScheduler.UnobservedTaskException"/> on the finalizer thread.
    /// </summary>
    public static Action<T> Of<T>(Action<T> callback)
        where T : Task =>
        task =>
        {
            _ = task.Exception;
            callback(task);
        };
}
