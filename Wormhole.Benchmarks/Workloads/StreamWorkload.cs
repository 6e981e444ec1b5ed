using System.Diagnostics;
using System.Globalization;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;

namespace Wormhole.Benchmarks.Workloads;

/// <summary>
/// One stream of <see cref="Contracts.Small"/> from the server to the client, each element decoded by the client. Figures:
/// elements per second from the request until the last element is in hand; the CPU time of the sending (server) and
/// receiving (client) processes over the same wall time (1.00 = one core busy throughout); TCP payload bytes from the
/// server per element (<see cref="WireBytes"/>). Every system's server runs throughout; after their warm-ups, three
/// rounds (<c>--quick</c>: one) run each system once in turn, each run lasting seconds, and the best run of each counts.
/// </summary>
/// <remarks>
/// Peers: the raw socket (<see cref="Servers.RawStreamServer"/>: length-prefixed protobuf-net frames through a 64 KiB
/// buffered stream, no acknowledgements), Akka StreamRefs over Akka.Remote (protobuf-net for the element) and SignalR
/// streaming over WebSocket (a hub method returning <see cref="IAsyncEnumerable{T}"/>, <c>StreamAsync</c>, MessagePack).
/// </remarks>
internal static class StreamWorkload
{
    public static async Task RunAsync(Report report, bool quick)
    {
        var rounds = quick ? 1 : 3;
        var cleanup = new Stack<Func<Task>>();
        try
        {
            var contenders = new List<Contender>();
            var wormhole = await ChildServer.StartAsync("wormhole");
            cleanup.Push(() => wormhole.DisposeAsync().AsTask());
            foreach (var webSocket in new[] { false, true })
            {
                var (system, nexus, portal) = await Clients.WormholeAsync(Clients.Conduit(wormhole, webSocket));
                cleanup.Push(() => Clients.CloseAsync(system, nexus));
                var streamer = await portal.LookupAsync<StreamRequest>("streamer");
                contenders.Add(new(webSocket ? Systems.WormholeWebSocket : Systems.WormholeTcp, wormhole, quick ? 200_000 : 2_000_000, quick ? 50_000 : 500_000,
                    count => StreamPeers.Wormhole(streamer, count)));
            }

            var raw = await ChildServer.StartAsync("raw-stream");
            cleanup.Push(() => raw.DisposeAsync().AsTask());
            var socket = StreamPeers.RawConnect(raw);
            cleanup.Push(() => Task.Run(socket.Dispose));
            contenders.Add(new(Systems.RawSocket, raw, quick ? 400_000 : 8_000_000, quick ? 100_000 : 1_000_000, count => Task.Run(() => StreamPeers.Raw(socket, count))));

            var streamRefs = await ChildServer.StartAsync("akka-streamrefs");
            cleanup.Push(() => streamRefs.DisposeAsync().AsTask());
            var (akka, streamerRef, materializer) = await StreamPeers.StreamRefsAsync(streamRefs);
            cleanup.Push(() => akka.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }));
            contenders.Add(new(Systems.AkkaStreamRefs, streamRefs, quick ? 5_000 : 80_000, quick ? 2_000 : 20_000, count => StreamPeers.StreamRefs(streamerRef, materializer, count)));

            var signalR = await ChildServer.StartAsync("signalr");
            cleanup.Push(() => signalR.DisposeAsync().AsTask());
            var connection = await StreamPeers.SignalRAsync(signalR);
            cleanup.Push(() => connection.DisposeAsync().AsTask());
            contenders.Add(new(Systems.SignalR, signalR, quick ? 200_000 : 3_000_000, quick ? 50_000 : 500_000, count => StreamPeers.SignalR(connection, count)));

            foreach (var contender in contenders)
            {
                await WarmUp.RunAsync(quick, contender.Server, contender.Name, () => contender.Run(contender.Warmup));
            }

            // Rounds interleave the systems, so that a change in the machine's load falls on all of them alike.
            var measured = contenders.ToDictionary(c => c.Name, _ => new List<Result>());
            for (var round = 0; round < rounds; round++)
            {
                foreach (var contender in contenders)
                {
                    measured[contender.Name].Add(await MeasureAsync(contender));
                }
            }

            var best = new Dictionary<string, Result>();
            foreach (var (system, results) in measured)
            {
                best[system] = results.MaxBy(r => r.Rate)!;
                report.Emit("stream", system, new()
                {
                    ["elements"] = contenders.Single(c => c.Name == system).Count,
                    ["rounds"] = results.Select(r => new Dictionary<string, object?>
                    {
                        ["seconds"] = Math.Round(r.Seconds, 3),
                        ["elementsPerSec"] = Math.Round(r.Rate),
                        ["senderCpu"] = Math.Round(r.SenderCpu, 3),
                        ["receiverCpu"] = Math.Round(r.ReceiverCpu, 3),
                        ["senderCpuUsPerElement"] = Math.Round(r.SenderCpuUsPerElement, 3),
                        ["receiverCpuUsPerElement"] = Math.Round(r.ReceiverCpuUsPerElement, 3),
                        ["wireBytesPerElement"] = r.BytesPerElement is { } bytes ? Math.Round(bytes, 2) : null,
                    }).ToList(),
                    ["bestElementsPerSec"] = best[system].Rate,
                });
            }

            Compare(report, best);
        }
        finally
        {
            while (cleanup.TryPop(out var close))
            {
                await close();
            }
        }
    }

    /// <summary>A system under test: its server process, its element counts (measured run, warm-up round), and one run.</summary>
    private sealed record Contender(string Name, ChildServer Server, long Count, long Warmup, Func<long, Task<TimeSpan>> Run);

    /// <summary>One measured run's figures.</summary>
    private sealed record Result(double Seconds, double Rate, double SenderCpu, double ReceiverCpu, double SenderCpuUsPerElement, double ReceiverCpuUsPerElement, double? BytesPerElement);

    /// <summary>Runs <paramref name="contender"/> once for its count of elements, with both processes' CPU and the server's TCP bytes around it.</summary>
    private static async Task<Result> MeasureAsync(Contender contender)
    {
        var count = contender.Count;
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var serverBefore = await contender.Server.CommandAsync("stats");
        var wireBefore = await WireBytes.OfAsync(contender.Server.ProcessId);
        var elapsed = await contender.Run(count);
        var wireAfter = await WireBytes.OfAsync(contender.Server.ProcessId);
        var serverAfter = await contender.Server.CommandAsync("stats");
        var receiverCpuMs = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalMilliseconds;
        var senderCpuMs = serverAfter.GetProperty("cpuMs").GetDouble() - serverBefore.GetProperty("cpuMs").GetDouble();
        return new Result(
            elapsed.TotalSeconds,
            count / elapsed.TotalSeconds,
            senderCpuMs / elapsed.TotalMilliseconds,
            receiverCpuMs / elapsed.TotalMilliseconds,
            senderCpuMs * 1000 / count,
            receiverCpuMs * 1000 / count,
            wireBefore is { } b && wireAfter is { } a ? (a.Sent - b.Sent) / (double)count : null);
    }

    /// <summary>Table rows, and the targets for whichever Wormhole systems ran: ≥ 0.5× the raw socket, ≥ 1.5× SignalR, ≥ 30× StreamRefs.</summary>
    private static void Compare(Report report, Dictionary<string, Result> results)
    {
        var raw = results[Systems.RawSocket].Rate;
        var streamRefs = results[Systems.AkkaStreamRefs].Rate;
        var signalR = results[Systems.SignalR].Rate;
        foreach (var (system, r) in results)
        {
            var wire = r.BytesPerElement is { } bytes ? bytes.ToString("0.0", CultureInfo.InvariantCulture) + " B/element" : "wire bytes n/a";
            report.Row(
                "stream",
                system,
                $"{Report.Rate(r.Rate)} elements/s, CPU sender {Percent(r.SenderCpu)} receiver {Percent(r.ReceiverCpu)}, {wire}, {Report.Ratio(r.Rate, signalR)} SignalR",
                Report.Ratio(r.Rate, streamRefs) + " (StreamRefs)",
                Report.Ratio(r.Rate, raw));
        }

        foreach (var (system, r) in results.Where(r => r.Key.StartsWith("wormhole", StringComparison.Ordinal)))
        {
            report.Target($"stream {system} ≥ 0.5× raw-socket", r.Rate >= 0.5 * raw, $"{Report.Rate(r.Rate)} vs {Report.Rate(raw)} elements/s = {Report.Ratio(r.Rate, raw)}");
            report.Target($"stream {system} ≥ 1.5× SignalR", r.Rate >= 1.5 * signalR, $"{Report.Rate(r.Rate)} vs {Report.Rate(signalR)} elements/s = {Report.Ratio(r.Rate, signalR)}");
            report.Target($"stream {system} ≥ 30× StreamRefs", r.Rate >= 30 * streamRefs, $"{Report.Rate(r.Rate)} vs {Report.Rate(streamRefs)} elements/s = {Report.Ratio(r.Rate, streamRefs)}");
        }
    }

    private static string Percent(double fraction) => (fraction * 100).ToString("0", CultureInfo.InvariantCulture) + "%";
}
