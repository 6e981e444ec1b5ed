using System.Diagnostics;
using System.Net.Sockets;
using Akka.Actor;
using Microsoft.AspNetCore.SignalR.Client;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;
using Wormhole.Benchmarks.Servers;
using Wormhole.Reactive;

namespace Wormhole.Benchmarks.Workloads;

/// <summary>
/// Sequential request/response: one request at a time, each timed from the call to the reply in hand. Figures: p50 and
/// p99 latency and round trips per second. Wormhole in both ask forms — a <see cref="ReplyPort{T}"/> in the message
/// (<c>reply-port</c>) and Akka's sender-based ask through a proxy (<c>sender</c>) — against Akka.Remote's <c>Ask</c> (default serializer, and protobuf-net), SignalR's <c>InvokeAsync</c> over WebSocket with
/// MessagePack (<see cref="MessageHub.Echo"/>), and a raw socket round trip. Beside the times, the thread-pool work items
/// the client process ran per round trip (<see cref="ThreadPool.CompletedWorkItemCount"/>): how many turns a round trip
/// costs on the asking side, a count the machine's load does not move.
/// </summary>
internal static class AskWorkload
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(Report report, bool quick)
    {
        var count = quick ? 500 : 5_000;
        var results = new Dictionary<string, (double P50, double P99, double Rate, double WorkItems)>();

        await using (var server = await ChildServer.StartAsync("wormhole"))
        {
            foreach (var (name, conduit) in new[]
            {
                (Systems.WormholeTcp, Clients.Conduit(server, webSocket: false)),
                (Systems.WormholeTls, Clients.TlsConduit(server)),
                (Systems.WormholeWebSocket, Clients.Conduit(server, webSocket: true)),
            })
            {
                var (system, nexus, portal) = await Clients.WormholeAsync(conduit);
                var query = await portal.LookupAsync<Query>("query");
                var replier = await portal.LookupAsync<Small>("replier");
                results[name + " reply-port"] = await Measure(report, quick, server, name + " reply-port", count, i => query.Ask<Small>(port => new Query { Body = Small.Make(i), Reply = port }, Timeout));
                results[name + " sender"] = await Measure(report, quick, server, name + " sender", count, i => replier.Ask<Small>(Small.Make(i), Timeout));
                report.Note($"ask {name}: client portal after the runs: {portal.Counters}");
                await Clients.CloseAsync(system, nexus);
            }
        }

        foreach (var (akkaName, protobuf) in new[] { (Systems.AkkaRemote, false), (Systems.AkkaRemoteProtobuf, true) })
        {
            await using var server = await ChildServer.StartAsync(protobuf ? ["akka", "--protobuf"] : ["akka"]);
            var (system, echo) = await Clients.AkkaRemoteAsync(server, "echo", protobuf);
            results[akkaName] = await Measure(report, quick, server, akkaName, count, i => echo.Ask<Small>(Small.Make(i), Timeout));
            await system.Terminate();
        }

        await using (var server = await ChildServer.StartAsync("signalr"))
        {
            await using var connection = await StreamPeers.SignalRAsync(server, SignalRServer.MessagesPath);
            results[Systems.SignalR] = await Measure(report, quick, server, Systems.SignalR, count, i => connection.InvokeAsync<Small>(nameof(MessageHub.Echo), Small.Make(i)).WaitAsync(Timeout));
        }

        await using (var server = await ChildServer.StartAsync("raw"))
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync("127.0.0.1", server.Port);
            var writer = new RawSocket.FrameWriter(socket);
            var reader = new RawSocket.FrameReader(socket);
            writer.Write(new Small { Id = RawSocket.EchoMode });
            writer.Flush();
            results[Systems.RawSocket] = await Task.Run(() => Measure(report, quick, server, Systems.RawSocket, count, i =>
            {
                writer.Write(Small.Make(i));
                writer.Flush();
                Small? reply = null;
                while (reply is null && reader.ReadBatch(frame => reply = ProtoBuf.Serializer.Deserialize<Small>(frame)) > 0)
                {
                }

                return Task.FromResult(reply!);
            }));
        }

        var akka = results[Systems.AkkaRemote];
        var raw = results[Systems.RawSocket];
        foreach (var (system, r) in results)
        {
            report.Row(
                "ask",
                system,
                $"p50 {Report.Ms(r.P50)}, p99 {Report.Ms(r.P99)}, {Report.Rate(r.Rate)} round trips/s, {r.WorkItems:0.0} pool work items per round trip in the client, p50 {Report.Ratio(r.P50, results[Systems.SignalR].P50)} p99 {Report.Ratio(r.P99, results[Systems.SignalR].P99)} SignalR",
                $"p50 {Report.Ratio(r.P50, akka.P50)}, rate {Report.Ratio(r.Rate, akka.Rate)}",
                $"p50 {Report.Ratio(r.P50, raw.P50)}, rate {Report.Ratio(r.Rate, raw.Rate)}");
        }

        foreach (var (system, r) in results.Where(r => r.Key.StartsWith("wormhole", StringComparison.Ordinal)))
        {
            report.Target($"ask {system} p50 ≤ akka-remote p50", r.P50 <= akka.P50, $"{Report.Ms(r.P50)} vs {Report.Ms(akka.P50)}");
        }

        var signalR = results[Systems.SignalR];
        foreach (var (system, r) in results.Where(r => r.Key.StartsWith(Systems.WormholeWebSocket, StringComparison.Ordinal)))
        {
            report.Target($"ask {system} p50 ≤ signalr-ws p50", r.P50 <= signalR.P50, $"{Report.Ms(r.P50)} vs {Report.Ms(signalR.P50)}");
            report.Target($"ask {system} p99 ≤ signalr-ws p99", r.P99 <= signalR.P99, $"{Report.Ms(r.P99)} vs {Report.Ms(signalR.P99)}");
        }
    }

    private static async Task<(double P50, double P99, double Rate, double WorkItems)> Measure(Report report, bool quick, ChildServer server, string system, int count, Func<long, Task<Small>> ask)
    {
        await WarmUp.RunAsync(quick, server, system, async () =>
        {
            for (var i = 0; i < Math.Min(count, 500); i++)
            {
                await ask(i);
            }
        });

        var latencies = new double[count];
        var workItems = ThreadPool.CompletedWorkItemCount;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var reply = await ask(i);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (reply.Id != i)
            {
                throw new InvalidOperationException($"{system}: asked {i}, got the reply to {reply.Id}");
            }
        }

        var rate = count / total.Elapsed.TotalSeconds;
        var workItemsPerRoundTrip = (ThreadPool.CompletedWorkItemCount - workItems) / (double)count;
        Array.Sort(latencies);
        var p50 = latencies[count / 2];
        var p99 = latencies[Math.Min(count - 1, (int)(count * 0.99))];
        report.Emit("ask", system, new() { ["asks"] = count, ["p50Ms"] = p50, ["p99Ms"] = p99, ["roundTripsPerSec"] = rate, ["clientWorkItemsPerRoundTrip"] = workItemsPerRoundTrip });
        return (p50, p99, rate, workItemsPerRoundTrip);
    }
}
