using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;
using Wormhole.Reactive;
using Wormhole.Streams;

namespace Wormhole.Benchmarks.Servers;

/// <summary>
/// <c>serve browser --webroot DIR</c>: the server of the browser benchmark (clients/typescript/bench). ONE Kestrel on
/// 127.0.0.1 and a free port hosts Wormhole at <c>/ws</c> (MapWormhole: <c>query</c> answers a <see cref="Query"/>
/// through its reply port, <c>sink</c> counts <see cref="Small"/> and reports to the <see cref="Begin"/> sent to
/// <c>sink-begin</c>), SignalR's <see cref="MessageHub"/> at <see cref="SignalRServer.MessagesPath"/> with the MessagePack
/// protocol (<c>Echo</c>, <c>Begin</c>, <c>Tell</c>: the same actors' work), and the page's static files from DIR.
/// </summary>
/// <remarks>
/// It prints <c>listening on 127.0.0.1:PORT</c> and then answers <see cref="ServerConsole"/> commands (<c>stats</c>
/// gives the process's CPU time) until its stdin ends. The nexus runs with <see cref="TrustedPeerOptions"/>, as the .NET
/// workloads do: the defaults for untrusted peers allow 10,000 inbound frames/s per portal, which would cap messages/s.
/// <c>schema</c> (no server) prints the contracts' proto, from which the page's TypeScript types are generated.
/// </remarks>
internal static class BrowserServer
{
    /// <summary>The message types the page's portal sends to: what <c>schema</c> prints.</summary>
    public static readonly Type[] Contracts = [typeof(Query), typeof(Small), typeof(Begin)];

    public static async Task<int> RunAsync(string[] args)
    {
        var at = Array.IndexOf(args, "--webroot");
        if (at < 0 || at + 1 >= args.Length || !Directory.Exists(args[at + 1]))
        {
            Console.Error.WriteLine("serve browser needs --webroot DIR, an existing folder with the page");
            return 64;
        }

        var webroot = Path.GetFullPath(args[at + 1]);
        var system = ActorSystem.Create("browser", Config.Quiet);
        var nexus = Nexus.Create(system, TrustedPeerOptions.Create());
        var sink = system.ActorOf(SinkActor.Props(), "sink");
        nexus.Publish("sink", ActorRef<Small>.From(sink));
        nexus.Publish("sink-begin", ActorRef<Begin>.From(sink));
        nexus.Publish("query", ActorRef<Query>.From(system.ActorOf(EchoActor.Props(), "echo")));

        var app = SignalRServer.CreateBuilder().Build();
        app.UseWebSockets();
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(webroot) });
        app.MapWormhole("/ws", nexus);
        app.MapHub<MessageHub>(SignalRServer.MessagesPath);
        await app.StartAsync();
        ServerConsole.Listening(new Uri(app.Urls.Single()).Authority);

        await ServerConsole.RunAsync();

        await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        await nexus.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        return 0;
    }

    /// <summary>The proto3 schema of <see cref="Contracts"/>.</summary>
    public static string Schema() => WormholeSchema.GetProto(Contracts);
}
