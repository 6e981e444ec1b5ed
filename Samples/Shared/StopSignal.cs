using System.Runtime.InteropServices;

namespace Wormhole.Samples;

/// <summary>How a sample's server learns to stop, shared by the two-process samples (linked into each, not a project).</summary>
internal static class StopSignal
{
    /// <summary>Completes when stdin reaches its end, or on SIGTERM / SIGINT (Ctrl+C).</summary>
    public static async Task WhenToldToStopAsync()
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext signal)
        {
            signal.Cancel = true; // we shut down cleanly ourselves
            stop.TrySetResult();
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        var stdinClosed = Task.Factory.StartNew(
            () =>
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (stdin.Read(buffer) > 0)
                {
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning, // a blocking read: keep it off the thread pool
            TaskScheduler.Default);
        await Task.WhenAny(stop.Task, stdinClosed);
    }
}
