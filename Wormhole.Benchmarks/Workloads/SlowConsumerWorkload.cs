using System.Diagnostics;
using Akka.Actor;
using Akka.Streams.Dsl;
using Microsoft.AspNetCore.SignalR.Client;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;
using Wormhole.Benchmarks.Servers;

namespace Wormhole.Benchmarks.Workloads;

/// <summary>
/// An endless fast producer on the server, a client that takes <see cref="PerSecond"/> elements a second for 30 s
/// (<c>--quick</c>: 5 s). Both processes' memory is sampled every second (working set, managed heap); the figures are
/// each side's memory at the start (after a full collection on both) and its peak, and how many elements the server
/// produced against how many the client consumed: with flow control the producer stays a window ahead, without it the
/// difference sits in some buffer.
/// </summary>
/// <remarks>
/// Every system's stream is read through the same paced loop over an <see cref="IAsyncEnumerable{T}"/> (StreamRefs
/// through Akka's <c>RunAsAsyncEnumerable</c>). Should the client grow past <see cref="AbortOver"/> over its start,
/// the run stops there, to spare the machine.
/// </remarks>
internal static class SlowConsumerWorkload
{
    public const double PerSecond = 100;

    /// <summary>Past this growth of either process the run stops early.</summary>
    public const long AbortOver = 4L * 1024 * 1024 * 1024;

    public static async Task RunAsync(Report report, bool quick)
    {
        var duration = TimeSpan.FromSeconds(quick ? 5 : 30);

        await using (var server = await ChildServer.StartAsync("wormhole"))
        {
            var (system, nexus, portal) = await Clients.WormholeAsync(Clients.Conduit(server, webSocket: false));
            var streamer = await portal.LookupAsync<StreamRequest>("streamer");
            await StreamPeers.Wormhole(streamer, 1_000);
            var options = TrustedPeerOptions.Create();
            var ahead = await Measure(report, server, Systems.WormholeTcp, duration, cancel => StreamPeers.WormholeFeedAsync(streamer, 0, cancel));
            report.Target(
                $"slow-consumer {Systems.WormholeTcp}: the producer at most one window ahead",
                ahead <= options.StreamWindowElements,
                $"{ahead:N0} elements produced and not consumed; window {options.StreamWindowElements:N0} elements " +
                $"(the design's bound: the window plus the producer's read-ahead of {options.StreamProducerBuffer:N0})");
            await Clients.CloseAsync(system, nexus);
        }

        await using (var server = await ChildServer.StartAsync("akka-streamrefs"))
        {
            var (system, streamer, materializer) = await StreamPeers.StreamRefsAsync(server);
            await StreamPeers.StreamRefs(streamer, materializer, 1_000); // the code paths loaded before the baseline
            await Measure(report, server, Systems.AkkaStreamRefs, duration, async cancel =>
            {
                var sourceRef = await streamer.Ask<Akka.Streams.ISourceRef<Small>>(0L, Clients.Bound, cancel);
                return sourceRef.Source.RunAsAsyncEnumerable(materializer);
            });
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        }

        // Last: the client's memory may not go back to the system after this one.
        await using (var server = await ChildServer.StartAsync("signalr"))
        {
            await using var connection = await StreamPeers.SignalRAsync(server);
            await StreamPeers.SignalR(connection, 1_000);
            await Measure(report, server, Systems.SignalR, duration, cancel =>
                Task.FromResult(connection.StreamAsync<Small>(nameof(StreamHub.Stream), 0L, cancel)));
        }
    }

    /// <summary>One memory sample of both processes.</summary>
    private readonly record struct Sample(long ClientWorkingSet, long ClientManaged, long ServerWorkingSet, long ServerManaged, long Produced);

    /// <summary>Runs one system's slow consumer; prints its JSON line and row, returns how far the producer got ahead.</summary>
    private static async Task<long> Measure(Report report, ChildServer server, string system, TimeSpan duration, Func<CancellationToken, Task<IAsyncEnumerable<Small>>> open)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        await server.CommandAsync("gc");
        var start = await SampleAsync(server);
        var peak = start;
        var samples = 1;

        using var cancel = new CancellationTokenSource();
        var consumed = 0L;
        var consuming = Task.Run(() => ConsumeAsync(open, duration, cancel.Token, c => Interlocked.Exchange(ref consumed, c)));
        var aborted = false;
        while (!consuming.IsCompleted)
        {
            await Task.WhenAny(consuming, Task.Delay(TimeSpan.FromSeconds(1)));
            var sample = await SampleAsync(server);
            samples++;
            peak = new Sample(
                Math.Max(peak.ClientWorkingSet, sample.ClientWorkingSet),
                Math.Max(peak.ClientManaged, sample.ClientManaged),
                Math.Max(peak.ServerWorkingSet, sample.ServerWorkingSet),
                Math.Max(peak.ServerManaged, sample.ServerManaged),
                sample.Produced);
            if (!aborted && (sample.ClientWorkingSet - start.ClientWorkingSet > AbortOver || sample.ServerWorkingSet - start.ServerWorkingSet > AbortOver))
            {
                aborted = true;
                cancel.Cancel();
            }
        }

        var seconds = await consuming;
        var produced = peak.Produced - start.Produced; // the last sample, taken as consumption stopped
        var taken = Interlocked.Read(ref consumed);
        report.Emit("slow-consumer", system, new()
        {
            ["seconds"] = seconds,
            ["consumed"] = taken,
            ["produced"] = produced,
            ["producedAhead"] = produced - taken,
            ["clientWorkingSetStart"] = start.ClientWorkingSet,
            ["clientWorkingSetPeak"] = peak.ClientWorkingSet,
            ["clientManagedStart"] = start.ClientManaged,
            ["clientManagedPeak"] = peak.ClientManaged,
            ["serverWorkingSetStart"] = start.ServerWorkingSet,
            ["serverWorkingSetPeak"] = peak.ServerWorkingSet,
            ["serverManagedStart"] = start.ServerManaged,
            ["serverManagedPeak"] = peak.ServerManaged,
            ["samples"] = samples,
            ["stoppedAtAbortThreshold"] = aborted,
        });
        report.Row(
            "slow-consumer",
            system,
            $"{taken:N0} consumed in {seconds:0.0} s, {produced:N0} produced ({produced - taken:N0} ahead); " +
            $"client working set {Report.Mib(start.ClientWorkingSet)} → peak {Report.Mib(peak.ClientWorkingSet)} (managed {Report.Mib(start.ClientManaged)} → {Report.Mib(peak.ClientManaged)}), " +
            $"server {Report.Mib(start.ServerWorkingSet)} → {Report.Mib(peak.ServerWorkingSet)} (managed {Report.Mib(start.ServerManaged)} → {Report.Mib(peak.ServerManaged)})" +
            (aborted ? $", stopped at start + {Report.Mib(AbortOver)}" : ""),
            "n/a",
            "n/a");
        return produced - taken;
    }

    /// <summary>Takes <see cref="PerSecond"/> elements a second until <paramref name="duration"/> is up; returns the seconds it ran.</summary>
    private static async Task<double> ConsumeAsync(Func<CancellationToken, Task<IAsyncEnumerable<Small>>> open, TimeSpan duration, CancellationToken cancel, Action<long> progress)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var clock = Stopwatch.StartNew();
        var items = await open(stop.Token);
        var consumed = 0L;
        var enumerator = items.GetAsyncEnumerator(stop.Token);
        try
        {
            while (clock.Elapsed < duration && !cancel.IsCancellationRequested)
            {
                var wait = TimeSpan.FromSeconds(consumed / PerSecond) - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, CancellationToken.None);
                }

                if (!await enumerator.MoveNextAsync())
                {
                    throw new InvalidOperationException($"the endless stream ended after {consumed:N0} elements");
                }

                progress(++consumed);
            }

            return clock.Elapsed.TotalSeconds;
        }
        finally
        {
            stop.Cancel();
            try
            {
                await enumerator.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
                // the stream's end, or its cancellation, on its way
            }
        }
    }

    private static async Task<Sample> SampleAsync(ChildServer server)
    {
        using var self = Process.GetCurrentProcess();
        var stats = await server.CommandAsync("stats");
        return new Sample(
            self.WorkingSet64,
            GC.GetTotalMemory(false),
            stats.GetProperty("workingSet").GetInt64(),
            stats.GetProperty("managed").GetInt64(),
            stats.GetProperty("produced").GetInt64());
    }
}
