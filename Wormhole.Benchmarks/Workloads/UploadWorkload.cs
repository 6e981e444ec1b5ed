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
/// CPU over that time, and the TCP payload bytes the server received per chunk (<see cref="WireBytes"/>). Both servers
/// run throughout; after the warm-ups, three rounds (<c>--quick</c>: one) upload through each in turn; the best run counts.
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
        var rounds = quick ? 1 : 3;
        await using var wormhole = await ChildServer.StartAsync("wormhole");
        var (system, nexus, portal) = await Clients.WormholeAsync(Clients.Conduit(wormhole, webSocket: false));
        var uploader = await portal.LookupAsync<Upload>("uploader");
        await using var rawServer = await ChildServer.StartAsync("raw-stream");
        using var socket = StreamPeers.RawConnect(rawServer);
        var contenders = new (string Name, ChildServer Server, Func<long, Task<TimeSpan>> Run)[]
        {
            (Systems.WormholeTcp, wormhole, bytes => Wormhole(uploader, bytes)),
            (Systems.RawSocket, rawServer, bytes => Task.Run(() => Raw(socket, bytes))),
        };
        foreach (var (name, server, run) in contenders)
        {
            await WarmUp.RunAsync(quick, server, name, () => run(warmup));
        }

        // Rounds interleave the systems, so that a change in the machine's load falls on both alike; the best run counts.
        var measured = contenders.ToDictionary(c => c.Name, _ => new List<Dictionary<string, object?>>());
        var rates = contenders.ToDictionary(c => c.Name, _ => 0.0);
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, server, run) in contenders)
            {
                var (rate, figures) = await MeasureAsync(server, total, run);
                measured[name].Add(figures);
                rates[name] = Math.Max(rates[name], rate);
            }
        }

        await Clients.CloseAsync(system, nexus);
        foreach (var (name, runs) in measured)
        {
            report.Emit("upload", name, new() { ["bytes"] = total, ["chunkBytes"] = ChunkBytes, ["rounds"] = runs, ["bestMibPerSec"] = rates[name] });
        }

        var raw = rates[Systems.RawSocket];
        foreach (var (name, rate) in rates)
        {
            report.Row("upload", name, $"{rate.ToString("N0", CultureInfo.InvariantCulture)} MiB/s", "n/a", Report.Ratio(rate, raw));
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

    /// <summary>Uploads <paramref name="total"/> bytes once; returns MiB/s and the run's figures.</summary>
    private static async Task<(double Rate, Dictionary<string, object?> Figures)> MeasureAsync(ChildServer server, long total, Func<long, Task<TimeSpan>> run)
    {
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
        return (rate, new()
        {
            ["seconds"] = Math.Round(elapsed.TotalSeconds, 3),
            ["mibPerSec"] = Math.Round(rate, 1),
            ["senderCpu"] = Math.Round(senderCpuMs / elapsed.TotalMilliseconds, 3),
            ["receiverCpu"] = Math.Round(receiverCpuMs / elapsed.TotalMilliseconds, 3),
            ["wireBytesPerChunk"] = wireBefore is { } b && wireAfter is { } a ? Math.Round((a.Received - b.Received) / (double)chunks, 1) : null,
        });
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
