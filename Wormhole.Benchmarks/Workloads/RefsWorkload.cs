using System.Diagnostics;
using Akka.Actor;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;
using Wormhole.Reactive;

namespace Wormhole.Benchmarks.Workloads;

/// <summary>
/// Messages that each carry a fresh <see cref="ActorRef{T}"/>: every send publishes a new actor on the client's portal and
/// makes a new proxy on the server's. Throughput is counted as in <see cref="TellWorkload"/>. The actors are spawned before
/// the clock starts (that is Akka's cost, not Wormhole's); the warm-up rounds use actors of their own, stopped, and their
/// proxies gone, before it starts. Afterwards the portals' counters show what is still held: every reference stays
/// published until its actor stops or the peer stops its proxy.
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
        await WarmUp.RunAsync(quick, server, Systems.WormholeTcp, async () =>
        {
            var warmActors = Spawn(system, warmup);
            await Run(system, begin, sink, [.. warmActors.Select(ActorRef<Small>.From)], warmup);
            foreach (var actor in warmActors)
            {
                system.Stop(actor);
            }
        });
        _ = await Drain(server, "proxies", TimeSpan.FromSeconds(quick ? 5 : 10)); // the warm-up's proxies are gone before the clock starts
        var actors = Spawn(system, total);
        var refs = actors.Select(ActorRef<Small>.From).ToArray();

        var allocated = GC.GetTotalAllocatedBytes(false);
        var elapsed = await Run(system, begin, sink, refs, total);
        var allocPerMsg = (GC.GetTotalAllocatedBytes(false) - allocated) / (double)total;
        var rate = total / elapsed.TotalSeconds;
        var clientPublications = portal.Counters.Publications;
        var clientFramesOut = portal.Counters.FramesOut;
        var serverAfter = await server.CommandAsync("portals");

        foreach (var actor in actors)
        {
            system.Stop(actor);
        }

        var (serverProxiesAfterStop, drain) = await Drain(server, "proxies", TimeSpan.FromSeconds(quick ? 5 : 10));
        var releasedPerSecond = (serverAfter.GetProperty("proxies").GetInt64() - serverProxiesAfterStop) / drain.TotalSeconds;
        var clientPublicationsAfterStop = portal.Counters.Publications;
        var serverEnd = await server.CommandAsync("portals");
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
            ["secondsWatchedAfterActorsStopped"] = drain.TotalSeconds,
            ["clientFramesOutAfterActorsStopped"] = portal.Counters.FramesOut - clientFramesOut,
            ["serverFramesInAfterActorsStopped"] = serverEnd.GetProperty("framesIn").GetInt64() - serverAfter.GetProperty("framesIn").GetInt64(),
            ["serverProxiesFreedPerSecAfterActorsStopped"] = releasedPerSecond,
        });
        report.Row(
            "refs",
            Systems.WormholeTcp,
            $"{Report.Rate(rate)} msgs/s, each with a fresh ActorRef; held after the run: {clientPublications:N0} client publications, " +
            $"{serverAfter.GetProperty("proxies").GetInt64():N0} server proxies (after the actors stopped: {clientPublicationsAfterStop:N0} / {serverProxiesAfterStop:N0} {drain.TotalSeconds:0.0} s later, {releasedPerSecond:N0} proxies freed/s)",
            "n/a",
            "n/a");
        report.Note(
            "refs: no peer can carry a reference; the publications and proxies held after the run grow with every reference sent " +
            "until the actors stop (a Terminated frame each) or the server stops its proxies (a Release frame each).");
        await Clients.CloseAsync(system, nexus);
    }

    private static IActorRef[] Spawn(ActorSystem system, long count) =>
        [.. Enumerable.Range(0, (int)count).Select(_ => system.ActorOf(Props.Create<Inbox>()))];

    private static Task<TimeSpan> Run(ActorSystem system, ActorRef<Begin> begin, ActorRef<Carrier> sink, ActorRef<Small>[] refs, long count) =>
        Clients.SendWindowedAsync(
            system,
            self => begin.Tell(new Begin { Expected = count, AckEvery = TellWorkload.AckEvery, ReplyTo = ActorRef<Progress>.From(self) }),
            i => sink.Tell(new Carrier { Body = Small.Make(i), Ref = refs[i] }),
            count,
            TellWorkload.Window);

    /// <summary>Polls the server's count until it reaches 0 or <paramref name="limit"/> passes; returns the last count and the time.</summary>
    private static async Task<(long Count, TimeSpan Took)> Drain(ChildServer server, string counter, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var now = (await server.CommandAsync("portals")).GetProperty(counter).GetInt64();
            if (now == 0 || clock.Elapsed >= limit)
            {
                return (now, clock.Elapsed);
            }

            await Task.Delay(250);
        }
    }

    private sealed class Inbox : UntypedActor
    {
        protected override void OnReceive(object message)
        {
        }
    }
}
