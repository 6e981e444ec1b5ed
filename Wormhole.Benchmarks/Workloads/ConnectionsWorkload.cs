using System.Diagnostics;
using Akka.Actor;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;
using Wormhole.Benchmarks.Servers;
using Wormhole.Reactive;
using Wormhole.Streams;

namespace Wormhole.Benchmarks.Workloads;

/// <summary>
/// Many idle WebSocket portals to one Kestrel server (<c>MapWormhole</c>): how fast they connect, how much server memory
/// each costs (working set after a full GC, minus the baseline before the first, divided by the count; the managed heap
/// likewise), and how long one message takes to reach all of them (the server tells each client's "inbox"; the time
/// runs from the command until the client side has counted every arrival). Then the same against SignalR's
/// <see cref="IdleHub"/> (MessagePack), with negotiate as a browser connects and without, each on a fresh server: the
/// table gives Wormhole's ratios to SignalR with negotiate, and the targets that an idle portal costs no more server
/// memory (managed, working set) than a SignalR connection and connects at least as fast.
/// </summary>
internal static class ConnectionsWorkload
{
    public const double TargetBytesPerPortal = 64 * 1024;
    private const int ConcurrentConnects = 32;

    public static async Task RunAsync(Report report, bool quick)
    {
        int[] sizes = quick ? [50, 100] : [1_000, 5_000, ManyPortals()];
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
        var wormhole = new List<Measured>();
        foreach (var size in sizes)
        {
            var clock = Stopwatch.StartNew();
            var added = size - portals.Count;
            portals.AddRange(await AFewAtATime(added, () => nexus.ConnectAsync(Conduit.WebSocket(uri)).WaitAsync(Clients.Bound)));
            var connectRate = added / clock.Elapsed.TotalSeconds;
            await WaitFor(server, "inboxes", size);

            var stats = await server.CommandAsync("gc-portals");
            var workingSetPerPortal = (stats.GetProperty("workingSet").GetInt64() - baseWorkingSet) / (double)size;
            var managedPerPortal = (stats.GetProperty("managed").GetInt64() - baseManaged) / (double)size;

            Interlocked.Exchange(ref arrived, 0);
            var fanOut = await FanOutAsync(server, () => Interlocked.Read(ref arrived), size);
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
            wormhole.Add(new Measured(size, connectRate, workingSetPerPortal, managedPerPortal, stats.GetProperty("workingSet").GetInt64(), baseWorkingSet, fanOut.TotalMilliseconds, Interlocked.Read(ref arrived)));
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

        // The largest step, sized to the open-files limit, is Wormhole's alone: SignalR's negotiate opens an HTTP
        // connection beside each WebSocket, which its client may keep, so its clients could pass that limit.
        var compared = quick ? sizes : sizes[..^1];
        var signalR = await SignalRAsync(report, compared, negotiate: true);
        var skipNegotiate = await SignalRAsync(report, compared, negotiate: false);
        for (var i = 0; i < compared.Length; i++)
        {
            var (ours, theirs) = (wormhole[i], signalR[i]);
            var size = sizes[i];
            foreach (var (name, row) in new[] { (Systems.WormholeWebSocket, ours), (Systems.SignalR, theirs), (Systems.SignalRSkipNegotiate, skipNegotiate[i]) })
            {
                var vsSignalR = name == Systems.SignalR
                    ? ""
                    : $" (vs SignalR: connects {Report.Ratio(row.ConnectRate, theirs.ConnectRate)}, working set {Report.Ratio(row.WorkingSetPer, theirs.WorkingSetPer)}, managed {Report.Ratio(row.ManagedPer, theirs.ManagedPer)}, fan-out {Report.Ratio(row.FanOutMs, theirs.FanOutMs)})";
                report.Row(
                    $"connections {size:N0}",
                    name,
                    $"{Report.Rate(row.ConnectRate)} connects/s; server {Report.Kib(row.WorkingSetPer)} working set ({Report.Kib(row.ManagedPer)} managed) per connection; fan-out to all {Report.Ms(row.FanOutMs)}{vsSignalR}",
                    "n/a",
                    "n/a");
            }

            report.Target(
                $"connections {size:N0}: server memory < 64 KiB per idle portal",
                ours.WorkingSetPer < TargetBytesPerPortal && ours.Arrived >= size,
                $"{Report.Kib(ours.WorkingSetPer)} working set per portal ({size:N0} portals, {Report.Mib(ours.WorkingSet)} total, {Report.Mib(ours.BaselineWorkingSet)} baseline)");
            report.Target(
                $"connections {size:N0}: managed memory per idle portal ≤ signalr-ws's",
                ours.ManagedPer <= theirs.ManagedPer,
                $"{Report.Kib(ours.ManagedPer)} vs {Report.Kib(theirs.ManagedPer)} = {Report.Ratio(ours.ManagedPer, theirs.ManagedPer)}");
            report.Target(
                $"connections {size:N0}: working set per idle portal ≤ signalr-ws's",
                ours.WorkingSetPer <= theirs.WorkingSetPer,
                $"{Report.Kib(ours.WorkingSetPer)} vs {Report.Kib(theirs.WorkingSetPer)} = {Report.Ratio(ours.WorkingSetPer, theirs.WorkingSetPer)}");
            report.Target(
                $"connections {size:N0}: connect rate ≥ signalr-ws's (with negotiate)",
                ours.ConnectRate >= theirs.ConnectRate,
                $"{Report.Rate(ours.ConnectRate)} vs {Report.Rate(theirs.ConnectRate)} connects/s = {Report.Ratio(ours.ConnectRate, theirs.ConnectRate)}");
        }

        if (!quick)
        {
            var many = wormhole[^1];
            report.Row(
                $"connections {many.Size:N0}",
                Systems.WormholeWebSocket,
                $"{Report.Rate(many.ConnectRate)} connects/s; server {Report.Kib(many.WorkingSetPer)} working set ({Report.Kib(many.ManagedPer)} managed) per connection; fan-out to all {Report.Ms(many.FanOutMs)}",
                "n/a",
                "n/a");
            report.Target(
                $"connections: {TargetPortals:N0} idle WebSocket portals on one server, each reached by a fan-out",
                many.Size >= TargetPortals && many.Arrived >= many.Size,
                $"{many.Size:N0} portals{(many.Size < TargetPortals ? $" (this machine allows {OpenFilesLimit():N0} open files per process, so no more)" : "")}: server {Report.Mib(many.WorkingSet)} working set, fan-out to all {Report.Ms(many.FanOutMs)}, {many.Arrived:N0} arrived");
        }
    }

    /// <summary>
    /// The same steps against <see cref="IdleHub"/> on a fresh <c>serve signalr</c>: MessagePack, either as a browser
    /// connects (negotiate, then the WebSocket) or straight to the WebSocket (<c>SkipNegotiation</c>); the fan-out is
    /// <c>Clients.All.SendAsync</c>, counted by each connection's handler.
    /// </summary>
    private static async Task<List<Measured>> SignalRAsync(Report report, int[] sizes, bool negotiate)
    {
        var name = negotiate ? Systems.SignalR : Systems.SignalRSkipNegotiate;
        await using var server = await ChildServer.StartAsync("signalr");
        var url = $"http://{server.Endpoint}{SignalRServer.IdlePath}";
        var arrived = 0L;

        async Task<HubConnection> Connect()
        {
            IHubConnectionBuilder builder = new HubConnectionBuilder();
            builder = negotiate
                ? builder.WithUrl(url)
                : builder.WithUrl(url, HttpTransportType.WebSockets, options => options.SkipNegotiation = true);
            var connection = builder.AddMessagePackProtocol().Build();
            connection.On<Small>(IdleHub.FanOutMethod, _ => Interlocked.Increment(ref arrived));
            await connection.StartAsync().WaitAsync(Clients.Bound);
            return connection;
        }

        var warm = await Connect();
        await warm.DisposeAsync();
        await WaitFor(server, "hub", "connections", 0);
        var baseline = await server.CommandAsync("gc-hub");
        var baseWorkingSet = baseline.GetProperty("workingSet").GetInt64();
        var baseManaged = baseline.GetProperty("managed").GetInt64();

        var connections = new List<HubConnection>();
        var measured = new List<Measured>();
        var runs = new List<Dictionary<string, object?>>();
        try
        {
            foreach (var size in sizes)
            {
                var clock = Stopwatch.StartNew();
                var added = size - connections.Count;
                connections.AddRange(await AFewAtATime(added, Connect));
                var connectRate = added / clock.Elapsed.TotalSeconds;
                await WaitFor(server, "hub", "connections", size);

                var stats = await server.CommandAsync("gc-hub");
                var workingSet = stats.GetProperty("workingSet").GetInt64();
                var workingSetPer = (workingSet - baseWorkingSet) / (double)size;
                var managedPer = (stats.GetProperty("managed").GetInt64() - baseManaged) / (double)size;

                Interlocked.Exchange(ref arrived, 0);
                var fanOut = await FanOutAsync(server, () => Interlocked.Read(ref arrived), size);
                runs.Add(new()
                {
                    ["connections"] = size,
                    ["connectsPerSec"] = Math.Round(connectRate, 1),
                    ["serverWorkingSetBytesPerConnection"] = Math.Round(workingSetPer),
                    ["serverManagedBytesPerConnection"] = Math.Round(managedPer),
                    ["serverWorkingSetBytes"] = workingSet,
                    ["serverBaselineWorkingSetBytes"] = baseWorkingSet,
                    ["fanOutMs"] = Math.Round(fanOut.TotalMilliseconds, 1),
                    ["fanOutArrived"] = Interlocked.Read(ref arrived),
                });
                measured.Add(new Measured(size, connectRate, workingSetPer, managedPer, workingSet, baseWorkingSet, fanOut.TotalMilliseconds, Interlocked.Read(ref arrived)));
            }

            report.Emit("connections", name, new() { ["runs"] = runs });
        }
        finally
        {
            await AFewAtATime(connections, connection => connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }));
        }

        return measured;
    }

    /// <summary>Runs <paramref name="count"/> connects, <see cref="ConcurrentConnects"/> at a time.</summary>
    private static async Task<T[]> AFewAtATime<T>(int count, Func<Task<T>> connect)
    {
        using var gate = new SemaphoreSlim(ConcurrentConnects);
        return await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                return await connect();
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>Runs <paramref name="act"/> on each item, <see cref="ConcurrentConnects"/> at a time.</summary>
    private static Task AFewAtATime<T>(IReadOnlyList<T> items, Func<T, Task> act)
    {
        var next = -1;
        return AFewAtATime(items.Count, async () =>
        {
            await act(items[Interlocked.Increment(ref next)]);
            return 0;
        });
    }

    /// <summary>Tells the server to send one message to every client, and waits (within <see cref="Clients.Bound"/>) until all <paramref name="size"/> arrived.</summary>
    /// <returns>The time from the command until the last arrival (or the bound).</returns>
    private static async Task<TimeSpan> FanOutAsync(ChildServer server, Func<long> arrived, int size)
    {
        var clock = Stopwatch.StartNew();
        await server.CommandAsync("fanout");
        while (arrived() < size && clock.Elapsed < Clients.Bound)
        {
            await Task.Delay(1);
        }

        return clock.Elapsed;
    }

    /// <summary>Issue 13's goal for idle portals on this 2-core machine.</summary>
    private const int TargetPortals = 20_000;

    /// <summary>
    /// The most portals this machine lets one process hold: <see cref="TargetPortals"/>, or fewer when the open-files limit
    /// (one descriptor per socket, on the server and in this client process alike) is lower, less 400 for the rest.
    /// </summary>
    private static int ManyPortals() => Math.Min(TargetPortals, OpenFilesLimit() - 400);

    /// <summary>This process's soft limit on open files (Linux: /proc/self/limits), or a large number where it cannot be read.</summary>
    private static int OpenFilesLimit()
    {
        const string path = "/proc/self/limits";
        var line = File.Exists(path) ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal)) : null;
        var fields = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: > 3 } && int.TryParse(fields[3], out var limit) ? limit : 1_000_000;
    }

    private static Task WaitFor(ChildServer server, string counter, long value) => WaitFor(server, "portals", counter, value);

    private static async Task WaitFor(ChildServer server, string command, string counter, long value)
    {
        var clock = Stopwatch.StartNew();
        while ((await server.CommandAsync(command)) is var stats && stats.GetProperty(counter).GetInt64() != value)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"the server's {counter} did not reach {value}: {stats}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>One size's figures for one system (per connection: server working set and managed heap, after a full GC).</summary>
    private sealed record Measured(int Size, double ConnectRate, double WorkingSetPer, double ManagedPer, long WorkingSet, long BaselineWorkingSet, double FanOutMs, long Arrived);

    private sealed class Counter(Action onMessage) : UntypedActor
    {
        protected override void OnReceive(object message) => onMessage();
    }
}
