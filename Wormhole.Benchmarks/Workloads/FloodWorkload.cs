using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using ProtoBuf;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;
using Wormhole.Benchmarks.Servers;
using Wormhole.Streams;

namespace Wormhole.Benchmarks.Workloads;

/// <summary>
/// A hostile peer floods a Wormhole server: a raw socket that speaks the wire format by hand (Hello, a lookup of
/// "flood-sink", then <c>Deliver</c> frames as fast as TCP takes them) at an actor whose handler costs
/// <see cref="WormholeServer.FloodWork"/> per message. The server's working set is sampled throughout; the figure is its
/// peak over the baseline, printed next to the bound it must stay under.
/// </summary>
/// <remarks>
/// The server runs with Wormhole's defaults (<see cref="ServerOptions"/>): its inbound rate limit, a token bucket of
/// 10,000 frames/s, stops pulling from the conduit when empty, so TCP pushes back on the flooding peer. Should the
/// server grow past <see cref="AbortOver"/> over its baseline anyway, the flood stops itself, to spare the machine.
/// </remarks>
internal static class FloodWorkload
{
    /// <summary>What the server may grow by while flooded: a rate-limited portal holds at most a few frames and Akka.IO's buffers.</summary>
    public const long BoundOverBaseline = 64L * 1024 * 1024;

    /// <summary>Past this growth the bound is long lost: stop flooding.</summary>
    public const long AbortOver = 4 * BoundOverBaseline;

    /// <summary>The flooded server's options: the defaults, rate limit included.</summary>
    public static NexusOptions ServerOptions => new();

    public static async Task RunAsync(Report report, bool quick)
    {
        var duration = TimeSpan.FromSeconds(quick ? 3 : 15);
        await using var server = await ChildServer.StartAsync("wormhole", "--flood");
        var baseline = (await server.CommandAsync("gc")).GetProperty("workingSet").GetInt64();
        var bound = baseline + BoundOverBaseline;

        using var cancel = new CancellationTokenSource();
        var sent = 0L;
        var closedByServer = false;
        var flooding = Task.Run(() => Flood(server.Port, duration, cancel.Token, ref sent, ref closedByServer));
        var peak = baseline;
        var samples = 0;
        var clock = Stopwatch.StartNew();
        while (!flooding.IsCompleted)
        {
            var workingSet = (await server.CommandAsync("stats")).GetProperty("workingSet").GetInt64();
            peak = Math.Max(peak, workingSet);
            samples++;
            if (workingSet - baseline > AbortOver)
            {
                cancel.Cancel();
            }

            await Task.WhenAny(flooding, Task.Delay(200));
        }

        var floodSeconds = clock.Elapsed.TotalSeconds;
        await flooding;
        var after = await server.CommandAsync("stats");
        peak = Math.Max(peak, after.GetProperty("workingSet").GetInt64());
        var received = after.GetProperty("received").GetInt64();
        var aborted = cancel.IsCancellationRequested;
        var met = peak <= bound;
        report.Emit("flood", Systems.WormholeTcp, new()
        {
            ["seconds"] = floodSeconds,
            ["framesSent"] = Interlocked.Read(ref sent),
            ["framesHandled"] = received,
            ["handlerCostUs"] = WormholeServer.FloodWork.TotalMicroseconds,
            ["baselineBytes"] = baseline,
            ["peakBytes"] = peak,
            ["boundBytes"] = bound,
            ["withinBound"] = met,
            ["stoppedAtAbortThreshold"] = aborted,
            ["portalClosedByServer"] = closedByServer,
            ["rateLimit"] = "the defaults (FloodWorkload.ServerOptions)",
            ["samples"] = samples,
        });
        report.Row(
            "flood",
            Systems.WormholeTcp,
            $"peak server working set {Report.Mib(peak)} (baseline {Report.Mib(baseline)}, bound {Report.Mib(bound)}) after {floodSeconds:0.0} s, " +
            $"{Interlocked.Read(ref sent):N0} frames sent, {received:N0} handled{(aborted ? ", flood stopped at baseline + " + Report.Mib(AbortOver) : "")}",
            "n/a",
            "n/a");
        report.Target(
            "flood: server memory stays under its bound",
            met,
            $"peak {Report.Mib(peak)} vs bound {Report.Mib(bound)} (baseline + {Report.Mib(BoundOverBaseline)}); inbound rate limit at its defaults");
    }

    private static void Flood(int port, TimeSpan duration, CancellationToken cancel, ref long sent, ref bool closedByServer)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect("127.0.0.1", port);
        using var stream = new NetworkStream(socket);
        Write(stream, new WireHello { ProtocolVersion = WireHello.CurrentVersion, SideId = WireId.NewRandom(), ConduitHalf = WireId.NewRandom(), MaxFrameBytes = 1024 * 1024 });
        Write(stream, new WireLookup { RequestId = 1, Name = "flood-sink" });
        stream.Flush();
        WireId target;
        while (true)
        {
            if (Read(stream) is WireLookupReply reply)
            {
                target = reply.ActorId;
                break;
            }
        }

        var drain = Task.Run(() =>
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (stream.Read(buffer) > 0)
                {
                }
            }
            catch (IOException)
            {
            }
        });

        var payload = new MemoryStream();
        var output = new BufferedStream(stream, 64 * 1024);
        var clock = Stopwatch.StartNew();
        var i = 0L;
        try
        {
            while (clock.Elapsed < duration && !cancel.IsCancellationRequested)
            {
                for (var batch = 0; batch < 256; batch++, i++)
                {
                    payload.SetLength(0);
                    Serializer.Serialize(payload, Small.Make(i));
                    Write(output, new WireDeliver { Target = target, Payload = payload.ToArray() });
                }

                Interlocked.Add(ref sent, 256);
            }

            output.Flush();
        }
        catch (IOException)
        {
            closedByServer = true;
        }

        socket.Close();
        drain.Wait(TimeSpan.FromSeconds(5));
    }

    private static void Write(Stream stream, WireFrame frame) =>
        Serializer.SerializeWithLengthPrefix(stream, frame, PrefixStyle.Fixed32BigEndian);

    private static WireFrame? Read(Stream stream)
    {
        Span<byte> header = stackalloc byte[4];
        stream.ReadExactly(header);
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
        stream.ReadExactly(body);
        try
        {
            return Serializer.Deserialize<WireFrame>(new ReadOnlySpan<byte>(body));
        }
        catch (Exception e) when (e is ProtoException or InvalidOperationException)
        {
            return null; // a frame this peer does not speak
        }
    }
}
