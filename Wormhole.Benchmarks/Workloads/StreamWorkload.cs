using System.Diagnostics;
using System.Globalization;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;

namespace Wormhole.Benchmarks.Workloads;

/// <summary>
/// One stream of <see cref="Contracts.Small"/> from the server to the client, each element decoded by the client. Figures:
/// elements per second from the request until the last element is in hand; the CPU time of the sending (server) and
/// receiving (client) processes over the same wall time (1.00 = one core busy throughout); TCP payload bytes from the
/// server per element (<see cref="WireBytes"/>). Each system streams enough for its run to last seconds.
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
        var results = new Dictionary<string, Result>();

        await using (var server = await ChildServer.StartAsync("wormhole"))
        {
            foreach (var webSocket in new[] { false, true })
            {
                var (system, nexus, portal) = await Clients.WormholeAsync(Clients.Conduit(server, webSocket));
                var streamer = await portal.LookupAsync<StreamRequest>("streamer");
                var name = webSocket ? Systems.WormholeWebSocket : Systems.WormholeTcp;
                results[name] = await Measure(report, quick, server, name, quick ? 200_000 : 5_000_000, quick ? 50_000 : 500_000,
                    count => StreamPeers.Wormhole(streamer, count));
                await Clients.CloseAsync(system, nexus);
            }
        }

        await using (var server = await ChildServer.StartAsync("raw-stream"))
        {
            using var socket = StreamPeers.RawConnect(server);
            results[Systems.RawSocket] = await Measure(report, quick, server, Systems.RawSocket, quick ? 400_000 : 20_000_000, quick ? 100_000 : 1_000_000,
                count => Task.Run(() => StreamPeers.Raw(socket, count)));
        }

        await using (var server = await ChildServer.StartAsync("akka-streamrefs"))
        {
            var (system, streamer, materializer) = await StreamPeers.StreamRefsAsync(server);
            results[Systems.AkkaStreamRefs] = await Measure(report, quick, server, Systems.AkkaStreamRefs, quick ? 5_000 : 200_000, quick ? 2_000 : 20_000,
                count => StreamPeers.StreamRefs(streamer, materializer, count));
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        }

        await using (var server = await ChildServer.StartAsync("signalr"))
        {
            await using var connection = await StreamPeers.SignalRAsync(server);
            results[Systems.SignalR] = await Measure(report, quick, server, Systems.SignalR, quick ? 200_000 : 8_000_000, quick ? 50_000 : 500_000,
                count => StreamPeers.SignalR(connection, count));
        }

        Compare(report, results);
    }

    /// <summary>One system's figures.</summary>
    private sealed record Result(double Rate, double SenderCpu, double ReceiverCpu, double? BytesPerElement);

    /// <summary>Warms <paramref name="run"/> up, then runs it once for <paramref name="count"/> elements and prints the system's JSON line.</summary>
    private static async Task<Result> Measure(Report report, bool quick, ChildServer server, string system, long count, long warmup, Func<long, Task<TimeSpan>> run)
    {
        await WarmUp.RunAsync(quick, server, system, () => run(warmup));
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var serverBefore = await server.CommandAsync("stats");
        var wireBefore = await WireBytes.OfAsync(server.ProcessId);
        var elapsed = await run(count);
        var wireAfter = await WireBytes.OfAsync(server.ProcessId);
        var serverAfter = await server.CommandAsync("stats");
        var receiverCpuMs = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalMilliseconds;
        var senderCpuMs = serverAfter.GetProperty("cpuMs").GetDouble() - serverBefore.GetProperty("cpuMs").GetDouble();
        double? bytesPerElement = wireBefore is { } b && wireAfter is { } a ? (a.Sent - b.Sent) / (double)count : null;
        var result = new Result(count / elapsed.TotalSeconds, senderCpuMs / elapsed.TotalMilliseconds, receiverCpuMs / elapsed.TotalMilliseconds, bytesPerElement);
        report.Emit("stream", system, new()
        {
            ["elements"] = count,
            ["seconds"] = elapsed.TotalSeconds,
            ["elementsPerSec"] = result.Rate,
            ["senderCpu"] = result.SenderCpu,
            ["receiverCpu"] = result.ReceiverCpu,
            ["senderCpuUsPerElement"] = senderCpuMs * 1000 / count,
            ["receiverCpuUsPerElement"] = receiverCpuMs * 1000 / count,
            ["wireBytesPerElement"] = bytesPerElement,
        });
        return result;
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
