using System.Net;
using System.Runtime.InteropServices;
using Akka.Actor;
using Wormhole.Streams;

namespace StreamingSample;

/// <summary>
/// <c>server [--port N]</c>: publishes the <see cref="Ticker"/> and the <see cref="UploadReceiver"/>, listens on
/// 127.0.0.1, prints <c>listening on 127.0.0.1:PORT</c>, and runs until stdin closes, SIGTERM or Ctrl+C. Uploads go to a
/// temporary folder, removed when the server stops.
/// </summary>
internal static class Server
{
    public static async Task<int> RunAsync(int port)
    {
        var folder = Directory.CreateTempSubdirectory("wormhole-uploads-").FullName;
        var system = ActorSystem.Create("server", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        var nexus = Nexus.Create(system);
        try
        {
            using var events = nexus.Events.Subscribe(e => Console.WriteLine(e switch
            {
                PortalEvent.Opened opened => $"server: portal {opened.Portal.Id} opened",
                PortalEvent.Closed closed => $"server: portal {closed.Portal.Id} closed ({closed.Reason})",
                _ => $"server: {e}",
            }));
            nexus.Publish(Ticker.PublishedName, Ticker.Spawn(system));
            nexus.Publish(UploadReceiver.PublishedName, UploadReceiver.Spawn(system, folder));
            var listener = await nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, port));
            Console.WriteLine($"listening on {listener.LocalEndPoint}");
            Console.Out.Flush();

            await WhenToldToStop();

            Console.WriteLine("server: stopping");
            await listener.DisposeAsync();
            return 0;
        }
        finally
        {
            await nexus.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
            Directory.Delete(folder, recursive: true);
            Console.WriteLine("server: stopped");
        }
    }

    /// <summary>Completes when stdin reaches its end, or on SIGTERM / SIGINT (Ctrl+C).</summary>
    private static async Task WhenToldToStop()
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
