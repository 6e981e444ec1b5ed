using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;
using Wormhole.Benchmarks.Servers;
using Wormhole.Reactive;

namespace Wormhole.Benchmarks.Workloads;

/// <summary>
/// 1 GiB (<c>--quick</c>: 64 MiB) in chunks of <see cref="ChunkBytes"/> from the client to the server, which counts the
/// bytes and answers with the count. Figures: MiB/s from the first chunk until the answer is in hand, both processes'
/// CPU over that time, and the TCP payload bytes the server received per chunk (<see cref="WireBytes"/>).
/// Wormhole: an <see cref="Upload"/> whose <see cref="IAsyncEnumerable{T}"/> of <see cref="Chunk"/> the server reads to
/// its end, replying the byte count. The floor: the raw socket copying the same bytes (<see cref="RawStreamServer"/>'s upload command).
/// </summary>
internal static class UploadWorkload
{
    public const int ChunkBytes = 64 * 1024;

    public static async Task RunAsync(Report report, bool quick)
    {
        var total = quick ? 64L * 1024 * 1024 : 1024L * 1024 * 1024;
        var warmup = quick ? 16L * 1024 * 1024 : 128L * 1024 * 1024;
        var rates = new Dictionary<string, double>();

        await using (var server = await ChildServer.StartAsync("wormhole"))
        {
            var (system, nexus, portal) = await Clients.WormholeAsync(Clients.Conduit(server, webSocket: false));
            var uploader = await portal.LookupAsync<Upload>("uploader");
            rates[Systems.WormholeTcp] = await Measure(report, quick, server, Systems.WormholeTcp, total, warmup, bytes => Wormhole(uploader, bytes));
            await Clients.CloseAsync(system, nexus);
        }

        await using (var server = await ChildServer.StartAsync("raw-stream"))
        {
            using var socket = StreamPeers.RawConnect(server);
            rates[Systems.RawSocket] = await Measure(report, quick, server, Systems.RawSocket, total, warmup, bytes => Task.Run(() => Raw(socket, bytes)));
        }

        var raw = rates[Systems.RawSocket];
        foreach (var (system, rate) in rates)
        {
            report.Row("upload", system, $"{rate.ToString("N0", CultureInfo.InvariantCulture)} MiB/s", "n/a", Report.Ratio(rate, raw));
        }

        report.Note($"upload {Systems.WormholeTcp}: {Report.Ratio(rates[Systems.WormholeTcp], raw)} of the raw socket's MiB/s (no target set)");
    }

    /// <summary>An <see cref="Upload"/> of <paramref name="total"/> bytes in chunks of one buffer; until the server's byte count is back.</summary>
    private static async Task<TimeSpan> Wormhole(ActorRef<Upload> uploader, long total)
    {
        var clock = Stopwatch.StartNew();
        var counted = await uploader.Ask<long>(port => new Upload { Data = Chunks(total), Done = port }, Clients.Bound);
        var elapsed = clock.Elapsed;
        return counted == total ? elapsed : throw new InvalidOperationException($"the Wormhole server counted {counted:N0} of {total:N0} bytes");
    }

    private static async IAsyncEnumerable<Chunk> Chunks(long total)
    {
        var bytes = new byte[ChunkBytes];
        Random.Shared.NextBytes(bytes);
        for (var sent = 0L; sent < total; sent += ChunkBytes)
        {
            yield return new Chunk { Bytes = total - sent >= ChunkBytes ? bytes : bytes[..(int)(total - sent)] };
        }

        await Task.CompletedTask;
    }

    /// <summary>Warms <paramref name="run"/> up, then uploads <paramref name="total"/> bytes once; prints the JSON line, returns MiB/s.</summary>
    private static async Task<double> Measure(Report report, bool quick, ChildServer server, string system, long total, long warmup, Func<long, Task<TimeSpan>> run)
    {
        await WarmUp.RunAsync(quick, server, system, () => run(warmup));
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var serverBefore = await server.CommandAsync("stats");
        var wireBefore = await WireBytes.OfAsync(server.ProcessId);
        var elapsed = await run(total);
        var wireAfter = await WireBytes.OfAsync(server.ProcessId);
        var serverAfter = await server.CommandAsync("stats");
        var senderCpuMs = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalMilliseconds;
        var receiverCpuMs = serverAfter.GetProperty("cpuMs").GetDouble() - serverBefore.GetProperty("cpuMs").GetDouble();
        var chunks = (total + ChunkBytes - 1) / ChunkBytes;
        var rate = total / 1024.0 / 1024.0 / elapsed.TotalSeconds;
        report.Emit("upload", system, new()
        {
            ["bytes"] = total,
            ["chunkBytes"] = ChunkBytes,
            ["seconds"] = elapsed.TotalSeconds,
            ["mibPerSec"] = rate,
            ["senderCpu"] = senderCpuMs / elapsed.TotalMilliseconds,
            ["receiverCpu"] = receiverCpuMs / elapsed.TotalMilliseconds,
            ["wireBytesPerChunk"] = wireBefore is { } b && wireAfter is { } a ? (a.Received - b.Received) / (double)chunks : null,
        });
        return rate;
    }

    /// <summary>The upload command, then the bytes in <see cref="ChunkBytes"/> writes of one buffer; until the server's count is back.</summary>
    private static TimeSpan Raw(Socket socket, long total)
    {
        var chunk = new byte[ChunkBytes];
        Random.Shared.NextBytes(chunk);
        var clock = Stopwatch.StartNew();
        socket.Send(RawStreamServer.Command(RawStreamServer.UploadCommand, total));
        for (var sent = 0L; sent < total; sent += ChunkBytes)
        {
            socket.Send(chunk.AsSpan(0, (int)Math.Min(ChunkBytes, total - sent)));
        }

        var reply = new byte[8];
        var read = 0;
        while (read < reply.Length)
        {
            var n = socket.Receive(reply, read, reply.Length - read, SocketFlags.None);
            read += n > 0 ? n : throw new InvalidOperationException("the raw server closed the connection before its count");
        }

        var elapsed = clock.Elapsed;
        var counted = BinaryPrimitives.ReadInt64BigEndian(reply);
        return counted == total ? elapsed : throw new InvalidOperationException($"the raw server counted {counted:N0} of {total:N0} bytes");
    }
}
