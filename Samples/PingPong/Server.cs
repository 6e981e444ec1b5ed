using System.Net;
using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Samples;
using Wormhole.Streams;

namespace PingPongSample;

/// <summary>
/// <c>server [--port N]</c>: publishes a "ping-pong" actor to every peer, listens on 127.0.0.1, prints
/// <c>listening on 127.0.0.1:PORT</c>, and runs until stdin closes, SIGTERM or Ctrl+C.
/// </summary>
internal static class Server
{
    public const string PublishedName = "ping-pong";

    public static async Task<int> RunAsync(int port)
    {
        var system = ActorSystem.Create("server", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        var nexus = Nexus.Create(system, LocalPeerOptions.Value);
        var log = new PingLog();
        using var events = nexus.Events.Subscribe(e =>
        {
            log.Flush();
            Console.WriteLine(e switch
            {
                PortalEvent.Opened opened => $"server: portal {opened.Portal.Id} opened",
                PortalEvent.Closed closed => $"server: portal {closed.Portal.Id} closed ({closed.Reason})",
                _ => $"server: {e}",
            });
        });
        nexus.Publish(PublishedName, SpawnPingPong(system, log));
        var listener = await nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, port));
        Console.WriteLine($"listening on {listener.LocalEndPoint}");
        Console.Out.Flush();

        await WhenToldToStop(log);

        Console.WriteLine("server: stopping");
        await listener.DisposeAsync();
        await nexus.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        log.Flush();
        Console.WriteLine("server: stopped");
        return 0;
    }

    /// <summary>The game's server half: every <see cref="Ping"/> is answered with a <see cref="Pong"/> through the reference inside it.</summary>
    private static ActorRef<PingPong> SpawnPingPong(ActorSystem system, PingLog log) =>
        FnActor.Spawn<PingPong>(system, async ctx =>
        {
            await foreach (var message in ctx.Messages)
            {
                log.Received(message);
                if (message is Ping ping)
                {
                    ping.From.Tell(new Pong { From = ctx.Self, Round = ping.Round });
                }
            }
        }, name: PublishedName);

    /// <summary>Completes when stdin reaches its end, or on SIGTERM / SIGINT (Ctrl+C); flushes the ping log each second meanwhile.</summary>
    private static async Task WhenToldToStop(PingLog log)
    {
        using var ticks = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var stopping = StopSignal.WhenToldToStopAsync();
        while (!stopping.IsCompleted)
        {
            await Task.WhenAny(stopping, ticks.WaitForNextTickAsync().AsTask());
            log.Flush();
        }
    }
}
