using System.Diagnostics;
using Akka.Actor;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;
using Wormhole.Reactive;

namespace Wormhole.Benchmarks.Workloads;

/// <summary>
/// Messages that each carry a fresh <see cref="ActorRef{T}"/>: every send publishes a new actor on the client's portal and
/// makes a new proxy on the server's. Throughput is counted as in <see cref="TellWorkload"/>. The actors are spawned before
/// the clock starts (that is Akka's cost, not Wormhole's). Afterwards the portals' counters show what is still held:
/// without <c>Release</c> frames every reference stays published until its actor stops.
/// </summary>
internal static class RefsWorkload
{
    public static async Task RunAsync(Report report, bool quick)
    {
        var total = quick ? 2_000L : 40_000L;
        var warmup = quick ? 500L : 5_000L;
        await using var server = await ChildServer.StartAsync("wormhole");
        var (system, nexus, portal) = await Clients.WormholeAsync(Clients.Conduit(server, webSocket: false));
        var sink = await portal.LookupAsync<Carrier>("refsink");
        var begin = await portal.LookupAsync<Begin>("refsink-begin");
        var actors = Enumerable.Range(0, (int)(total + warmup)).Select(_ => system.ActorOf(Props.Create<Inbox>())).ToArray();
        var refs = actors.Select(ActorRef<Small>.From).ToArray();

        await Run(system, begin, sink, refs, 0, warmup);
        var allocated = GC.GetTotalAllocatedBytes(false);
        var elapsed = await Run(system, begin, sink, refs, warmup, total);
        var allocPerMsg = (GC.GetTotalAllocatedBytes(false) - allocated) / (double)total;
        var rate = total / elapsed.TotalSeconds;
        var clientPublications = portal.Counters.Publications;
        var serverAfter = await server.CommandAsync("portals");

        foreach (var actor in actors)
        {
            system.Stop(actor);
        }

        var serverProxiesAfterStop = await Settle(server, "proxies");
        var clientPublicationsAfterStop = portal.Counters.Publications;
        report.Emit("refs", Systems.WormholeTcp, new()
        {
            ["messages"] = total,
            ["seconds"] = elapsed.TotalSeconds,
            ["msgsPerSec"] = rate,
            ["senderAllocBytesPerMsg"] = allocPerMsg,
            ["clientPublications"] = clientPublications,
            ["serverProxies"] = serverAfter.GetProperty("proxies").GetInt64(),
            ["clientPublicationsAfterActorsStopped"] = clientPublicationsAfterStop,
            ["serverProxiesAfterActorsStopped"] = serverProxiesAfterStop,
        });
        report.Row(
            "refs",
            Systems.WormholeTcp,
            $"{Report.Rate(rate)} msgs/s, each with a fresh ActorRef; held after the run: {clientPublications:N0} client publications, " +
            $"{serverAfter.GetProperty("proxies").GetInt64():N0} server proxies (after the actors stopped: {clientPublicationsAfterStop:N0} / {serverProxiesAfterStop:N0})",
            "n/a",
            "n/a");
        report.Note(
            "refs: no peer can carry a reference; the publications and proxies held after the run grow with every reference sent, " +
            "because Release frames are not in this branch: only an actor's death (Terminated) frees them.");
        await Clients.CloseAsync(system, nexus);
    }

    private static Task<TimeSpan> Run(ActorSystem system, ActorRef<Begin> begin, ActorRef<Carrier> sink, ActorRef<Small>[] refs, long from, long count) =>
        Clients.SendWindowedAsync(
            system,
            self => begin.Tell(new Begin { Expected = count, AckEvery = TellWorkload.AckEvery, ReplyTo = ActorRef<Progress>.From(self) }),
            i => sink.Tell(new Carrier { Body = Small.Make(i), Ref = refs[from + i] }),
            count,
            TellWorkload.Window);

    /// <summary>The server's count once it has stopped changing (Terminated frames still arriving).</summary>
    private static async Task<long> Settle(ChildServer server, string counter)
    {
        var last = -1L;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var now = (await server.CommandAsync("portals")).GetProperty(counter).GetInt64();
            if (now == last)
            {
                return now;
            }

            last = now;
            await Task.Delay(500);
        }

        return last;
    }

    private sealed class Inbox : UntypedActor
    {
        protected override void OnReceive(object message)
        {
        }
    }
}
