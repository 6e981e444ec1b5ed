using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;
using Wormhole.Benchmarks.Workloads;
using Wormhole.Reactive;
using Wormhole.Streams;

namespace Wormhole.Benchmarks.Servers;

/// <summary>
/// <c>serve wormhole [--flood]</c>: one nexus, served over TCP (<c>listening on</c>), over TCP with TLS
/// (<c>announce tls 127.0.0.1:…</c>, a self-signed certificate whose thumbprint is announced as <c>tls-thumbprint</c>) and
/// over WebSocket by Kestrel at <c>/ws</c> (<c>announce websocket ws://…</c>), publishing the benchmark's actors to every portal.
/// </summary>
internal static class WormholeServer
{
    /// <summary>What one flooded message costs the server's handler.</summary>
    public static readonly TimeSpan FloodWork = TimeSpan.FromMicroseconds(20);

    private static string? LastLookupError;

    public static async Task<int> RunAsync(bool flood)
    {
        var system = ActorSystem.Create("server", Config.Quiet);
        var options = flood ? FloodWorkload.ServerOptions : TrustedPeerOptions.Create();
        var nexus = Nexus.Create(system, options);

        var sink = system.ActorOf(SinkActor.Props(), "sink");
        nexus.Publish("sink", ActorRef<Small>.From(sink));
        nexus.Publish("sink-begin", ActorRef<Begin>.From(sink));
        var refSink = system.ActorOf(SinkActor.Props(), "refsink");
        nexus.Publish("refsink", ActorRef<Carrier>.From(refSink));
        nexus.Publish("refsink-begin", ActorRef<Begin>.From(refSink));
        var echo = system.ActorOf(EchoActor.Props(), "echo");
        nexus.Publish("echo", ActorRef<Ping>.From(echo));
        nexus.Publish("query", ActorRef<Query>.From(echo));
        nexus.Publish("replier", ActorRef<Small>.From(echo));
        nexus.Publish("streamer", StreamActors.Streamer(system));
        nexus.Publish("uploader", StreamActors.Uploader(system));
        nexus.Publish("flood-sink", ActorRef<Small>.From(system.ActorOf(SinkActor.Props(FloodWork), "flood-sink")));

        // The connections workload: a proxy for each client's "inbox", for the fan-out.
        var inboxes = new ConcurrentDictionary<Portal, ActorRef<Small>>();
        using var events = nexus.Events.Subscribe(e =>
        {
            switch (e)
            {
                case PortalEvent.Opened opened:
                    _ = LookupInboxAsync(opened.Portal, inboxes);
                    break;
                case PortalEvent.Closed closed:
                    inboxes.TryRemove(closed.Portal, out _);
                    break;
            }
        });

        var listener = await nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
        using var certificate = BenchmarkCertificate.Create();
        var tlsListener = await nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0), new System.Net.Security.SslServerAuthenticationOptions { ServerCertificate = certificate });
        var app = await StartKestrelAsync(nexus);
        Console.WriteLine($"announce websocket {new UriBuilder(app.Urls.Single()) { Scheme = "ws", Path = "/ws" }.Uri}");
        Console.WriteLine($"announce tls {tlsListener.LocalEndPoint}");
        Console.WriteLine($"announce tls-thumbprint {certificate.Thumbprint}");
        ServerConsole.Listening(listener.LocalEndPoint.ToString());

        await ServerConsole.RunAsync(command =>
        {
            var reply = ServerConsole.Stats(collect: command == "gc-portals");
            var portals = nexus.Portals;
            reply["portals"] = portals.Count;
            reply["publications"] = portals.Sum(p => (long)p.Counters.Publications);
            reply["proxies"] = portals.Sum(p => (long)p.Counters.Proxies);
            reply["dropped"] = portals.Sum(p => p.Counters.Dropped);
            reply["framesIn"] = portals.Sum(p => p.Counters.FramesIn);
            reply["inboxes"] = inboxes.Keys.Count(p => p.IsOpen);
            reply["lookupError"] = LastLookupError;
            switch (command)
            {
                case "portals" or "gc-portals":
                    return reply;
                case "fanout":
                    var message = Small.Make(42);
                    foreach (var inbox in inboxes.Values)
                    {
                        inbox.Tell(message);
                    }

                    return reply;
                default:
                    return null;
            }
        });

        await listener.DisposeAsync();
        await tlsListener.DisposeAsync();
        await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        await nexus.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        return 0;
    }

    private static async Task LookupInboxAsync(Portal portal, ConcurrentDictionary<Portal, ActorRef<Small>> inboxes)
    {
        try
        {
            inboxes[portal] = await portal.LookupAsync<Small>("inbox");
            if (!portal.IsOpen)
            {
                inboxes.TryRemove(portal, out _); // it closed while the lookup's continuation was on its way
            }
        }
        catch (PublicationNotFoundException)
        {
            // a client of another workload
        }
        catch (Exception e)
        {
            LastLookupError = e.Message;
        }
    }

    private static async Task<WebApplication> StartKestrelAsync(Nexus nexus)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxConcurrentUpgradedConnections = null);
        var app = builder.Build();
        app.UseWebSockets();
        app.MapWormhole("/ws", nexus);
        await app.StartAsync();
        return app;
    }
}
