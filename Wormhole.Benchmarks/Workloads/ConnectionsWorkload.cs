using System.Diagnostics;
using Akka.Actor;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;
using Wormhole.Reactive;
using Wormhole.Streams;

namespace Wormhole.Benchmarks.Workloads;

/// <summary>
/// Many idle WebSocket portals to one Kestrel server (<c>MapWormhole</c>): how fast they connect, how much server memory
/// each costs (working set after a full GC, minus the baseline before the first, divided by the count; the managed heap
/// likewise), and how long one message takes to reach all of them (the server tells each client's "inbox"; the time
/// runs from the command until the client side has counted every arrival).
/// </summary>
internal static class ConnectionsWorkload
{
    public const double TargetBytesPerPortal = 64 * 1024;
    private const int ConcurrentConnects = 32;

    public static async Task RunAsync(Report report, bool quick)
    {
        int[] sizes = quick ? [50, 100] : [1_000, 5_000];
        await using var server = await ChildServer.StartAsync("wormhole");
        var system = ActorSystem.Create("clients", Config.Quiet);
        var nexus = Nexus.Create(system);
        var arrived = 0L;
        var inbox = system.ActorOf(Props.Create(() => new Counter(() => Interlocked.Increment(ref arrived))));
        nexus.Publish("inbox", ActorRef<Small>.From(inbox));
        var uri = new Uri(server.Announced["websocket"]);

        // Baseline: the server process warmed up by one portal that comes and goes.
        var warm = await nexus.ConnectAsync(Conduit.WebSocket(uri));
        await warm.CloseAsync();
        await WaitFor(server, "portals", 0);
        var baseline = await server.CommandAsync("gc-portals");
        var baseWorkingSet = baseline.GetProperty("workingSet").GetInt64();
        var baseManaged = baseline.GetProperty("managed").GetInt64();

        var portals = new List<Portal>();
        var runs = new List<Dictionary<string, object?>>();
        foreach (var size in sizes)
        {
            var clock = Stopwatch.StartNew();
            var added = size - portals.Count;
            using var gate = new SemaphoreSlim(ConcurrentConnects);
            var connecting = Enumerable.Range(0, added).Select(async _ =>
            {
                await gate.WaitAsync();
                try
                {
                    return await nexus.ConnectAsync(Conduit.WebSocket(uri)).WaitAsync(Clients.Bound);
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            portals.AddRange(await Task.WhenAll(connecting));
            var connectRate = added / clock.Elapsed.TotalSeconds;
            await WaitFor(server, "inboxes", size);

            var stats = await server.CommandAsync("gc-portals");
            var workingSetPerPortal = (stats.GetProperty("workingSet").GetInt64() - baseWorkingSet) / (double)size;
            var managedPerPortal = (stats.GetProperty("managed").GetInt64() - baseManaged) / (double)size;

            Interlocked.Exchange(ref arrived, 0);
            clock.Restart();
            await server.CommandAsync("fanout");
            while (Interlocked.Read(ref arrived) < size && clock.Elapsed < Clients.Bound)
            {
                await Task.Delay(1);
            }

            var fanOut = clock.Elapsed;
            runs.Add(new()
            {
                ["portals"] = size,
                ["connectsPerSec"] = Math.Round(connectRate, 1),
                ["serverWorkingSetBytesPerPortal"] = Math.Round(workingSetPerPortal),
                ["serverManagedBytesPerPortal"] = Math.Round(managedPerPortal),
                ["serverWorkingSetBytes"] = stats.GetProperty("workingSet").GetInt64(),
                ["serverBaselineWorkingSetBytes"] = baseWorkingSet,
                ["fanOutMs"] = Math.Round(fanOut.TotalMilliseconds, 1),
                ["fanOutArrived"] = Interlocked.Read(ref arrived),
            });
            report.Row(
                $"connections {size:N0}",
                Systems.WormholeWebSocket,
                $"{connectRate:N0} connects/s; server {Report.Kib(workingSetPerPortal)} working set ({Report.Kib(managedPerPortal)} managed) per portal; fan-out to all {Report.Ms(fanOut.TotalMilliseconds)}",
                "n/a",
                "n/a");
            report.Target(
                $"connections {size:N0}: server memory < 64 KiB per idle portal",
                workingSetPerPortal < TargetBytesPerPortal && Interlocked.Read(ref arrived) >= size,
                $"{Report.Kib(workingSetPerPortal)} working set per portal ({size:N0} portals, {Report.Mib(stats.GetProperty("workingSet").GetInt64())} total, {Report.Mib(baseWorkingSet)} baseline)");
        }

        report.Emit("connections", Systems.WormholeWebSocket, new() { ["runs"] = runs });
        if (Environment.GetEnvironmentVariable("WORMHOLE_BENCH_PAUSE_SECONDS") is { } pause && int.TryParse(pause, out var seconds))
        {
            // For a heap snapshot of the server with every portal open: dotnet-gcdump collect -p <pid>.
            Console.WriteLine($"paused {seconds} s; server pid {server.ProcessId}");
            await Task.Delay(TimeSpan.FromSeconds(seconds));
        }
        await nexus.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(_ => { });
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
    }

    private static async Task WaitFor(ChildServer server, string counter, long value)
    {
        var clock = Stopwatch.StartNew();
        while ((await server.CommandAsync("portals")) is var stats && stats.GetProperty(counter).GetInt64() != value)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"the server's {counter} did not reach {value}: {stats}");
            }

            await Task.Delay(50);
        }
    }

    private sealed class Counter(Action onMessage) : UntypedActor
    {
        protected override void OnReceive(object message) => onMessage();
    }
}
