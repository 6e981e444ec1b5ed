using System.Net;
using Akka.Actor;
using Wormhole.Samples;
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

            await StopSignal.WhenToldToStopAsync();

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
}
