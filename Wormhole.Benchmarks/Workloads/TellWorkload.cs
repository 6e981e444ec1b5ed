using System.Diagnostics;
using System.Net.Sockets;
using Akka.Actor;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;
using Wormhole.Benchmarks.Servers;
using Wormhole.Reactive;

namespace Wormhole.Benchmarks.Workloads;

/// <summary>
/// One-way throughput: one sender, one remote sink. The figure is messages counted by the sink divided by the time from
/// the first send until the sink reports the last one. The sender keeps at most <see cref="Window"/> messages unacknowledged
/// (the sink acknowledges every <see cref="AckEvery"/>), the same for every actor system; the raw socket relies on TCP.
/// Each system sends enough for its run to last seconds: Wormhole 1,000,000 messages, Akka.Remote a quarter, the raw socket four times.
/// </summary>
internal static class TellWorkload
{
    public const int Window = 5_000;
    public const int AckEvery = 1_000;

    public static async Task RunAsync(Report report, bool quick)
    {
        var total = quick ? 20_000L : 1_000_000L;
        var warmup = quick ? 5_000L : 50_000L;
        var rates = new Dictionary<string, double>();

        await using (var server = await ChildServer.StartAsync("wormhole"))
        {
            var variants = new (string Name, Func<ActorSystem, Wormhole.Streams.Conduit> Conduit)[]
            {
                (Systems.WormholeTcp, _ => Clients.Conduit(server, webSocket: false)),
                (Systems.WormholeWebSocket, _ => Clients.Conduit(server, webSocket: true)),
            };
            foreach (var (name, conduit) in variants)
            {
                var (system, nexus, portal) = await Clients.WormholeAsync(conduit);
                var sink = await portal.LookupAsync<Small>("sink");
                var begin = await portal.LookupAsync<Begin>("sink-begin");
                await WarmUp.RunAsync(quick, server, name, () => Wormhole(system, begin, sink, warmup));
                var allocated = GC.GetTotalAllocatedBytes(precise: false);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var serverBefore = await server.CommandAsync("stats");
                var framesBefore = portal.Counters.FramesOut;
                var elapsed = await Wormhole(system, begin, sink, total);
                var serverCost = ServerCost(serverBefore, await server.CommandAsync("stats"), total);
                rates[name] = total / elapsed.TotalSeconds;
                report.Emit("tell", name, new()
                {
                    ["messages"] = total,
                    ["seconds"] = elapsed.TotalSeconds,
                    ["msgsPerSec"] = rates[name],
                    ["senderAllocBytesPerMsg"] = (GC.GetTotalAllocatedBytes(false) - allocated) / (double)total,
                    ["senderCpuUsPerMsg"] = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / total,
                    ["receiverAllocBytesPerMsg"] = serverCost.AllocPerMsg,
                    ["receiverCpuUsPerMsg"] = serverCost.CpuUsPerMsg,
                    ["framesSent"] = portal.Counters.FramesOut - framesBefore,
                });
                await Clients.CloseAsync(system, nexus);
            }
        }

        if (Program.OnlyWormhole)
        {
            return; // profiling the Wormhole path alone
        }

        foreach (var (akkaName, protobuf) in new[] { (Systems.AkkaRemote, false), (Systems.AkkaRemoteProtobuf, true) })
        {
            await using var server = await ChildServer.StartAsync(protobuf ? ["akka", "--protobuf"] : ["akka"]);
            var (system, sink) = await Clients.AkkaRemoteAsync(server, "sink", protobuf);
            var akkaTotal = total / 4; // a tenth of Wormhole's rate: a quarter of the messages still takes seconds
            await WarmUp.RunAsync(quick, server, akkaName, () => AkkaRemote(system, sink, warmup));
            var allocated = GC.GetTotalAllocatedBytes(precise: false);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var serverBefore = await server.CommandAsync("stats");
            var elapsed = await AkkaRemote(system, sink, akkaTotal);
            var serverCost = ServerCost(serverBefore, await server.CommandAsync("stats"), akkaTotal);
            rates[akkaName] = akkaTotal / elapsed.TotalSeconds;
            report.Emit("tell", akkaName, new()
            {
                ["messages"] = akkaTotal,
                ["seconds"] = elapsed.TotalSeconds,
                ["msgsPerSec"] = rates[akkaName],
                ["senderAllocBytesPerMsg"] = (GC.GetTotalAllocatedBytes(false) - allocated) / (double)akkaTotal,
                ["senderCpuUsPerMsg"] = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / akkaTotal,
                ["receiverAllocBytesPerMsg"] = serverCost.AllocPerMsg,
                ["receiverCpuUsPerMsg"] = serverCost.CpuUsPerMsg,
            });
            await system.Terminate();
        }

        await using (var server = await ChildServer.StartAsync("raw"))
        {
            await WarmUp.RunAsync(quick, server, Systems.RawSocket, () => Task.Run(() => Raw(server.Port, warmup)));
            var allocated = GC.GetTotalAllocatedBytes(precise: false);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var serverBefore = await server.CommandAsync("stats");
            var elapsed = await Task.Run(() => Raw(server.Port, total * 4));
            var serverCost = ServerCost(serverBefore, await server.CommandAsync("stats"), total * 4);
            rates[Systems.RawSocket] = total * 4 / elapsed.TotalSeconds;
            report.Emit("tell", Systems.RawSocket, new()
            {
                ["messages"] = total * 4,
                ["seconds"] = elapsed.TotalSeconds,
                ["msgsPerSec"] = rates[Systems.RawSocket],
                ["senderAllocBytesPerMsg"] = (GC.GetTotalAllocatedBytes(false) - allocated) / (double)(total * 4),
                ["senderCpuUsPerMsg"] = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / (total * 4),
                ["receiverAllocBytesPerMsg"] = serverCost.AllocPerMsg,
                ["receiverCpuUsPerMsg"] = serverCost.CpuUsPerMsg,
            });
        }

        Compare(report, "tell", rates, "msgs/s");
    }

    /// <summary>What the server process spent per message between two <c>stats</c> replies (allocations, CPU time).</summary>
    private static (double AllocPerMsg, double CpuUsPerMsg) ServerCost(System.Text.Json.JsonElement before, System.Text.Json.JsonElement after, long messages) =>
        ((after.GetProperty("allocated").GetInt64() - before.GetProperty("allocated").GetInt64()) / (double)messages,
         (after.GetProperty("cpuMs").GetDouble() - before.GetProperty("cpuMs").GetDouble()) * 1000 / messages);

    /// <summary>Table rows and the two targets (≥ 2× Akka.Remote, ≥ 50% of the raw socket) for a throughput workload.</summary>
    public static void Compare(Report report, string workload, Dictionary<string, double> rates, string unit)
    {
        var akka = rates[Systems.AkkaRemote];
        var raw = rates[Systems.RawSocket];
        foreach (var (system, rate) in rates)
        {
            report.Row(workload, system, $"{Report.Rate(rate)} {unit}", Report.Ratio(rate, akka), Report.Ratio(rate, raw));
        }

        foreach (var system in new[] { Systems.WormholeTcp, Systems.WormholeWebSocket })
        {
            var rate = rates[system];
            report.Target($"{workload} {system} ≥ 2× akka-remote", rate >= 2 * akka, $"{Report.Rate(rate)} vs {Report.Rate(akka)} {unit} = {Report.Ratio(rate, akka)}");
            report.Target($"{workload} {system} ≥ 50% of raw-socket", rate >= 0.5 * raw, $"{Report.Rate(rate)} vs {Report.Rate(raw)} {unit} = {Report.Ratio(rate, raw)}");
        }
    }

    public static Task<TimeSpan> Wormhole(ActorSystem system, ActorRef<Begin> begin, ActorRef<Small> sink, long total) =>
        Clients.SendWindowedAsync(
            system,
            self => begin.Tell(new Begin { Expected = total, AckEvery = AckEvery, ReplyTo = ActorRef<Progress>.From(self) }),
            i => sink.Tell(Small.Make(i), ActorRefs.Nobody), // no sender, as the Akka.Remote row
            total,
            Window);

    private static Task<TimeSpan> AkkaRemote(ActorSystem system, IActorRef sink, long total) =>
        Clients.SendWindowedAsync(
            system,
            self => sink.Tell(new Begin { Expected = total, AckEvery = AckEvery }, self),
            i => sink.Tell(Small.Make(i), ActorRefs.NoSender),
            total,
            Window);

    private static TimeSpan Raw(int port, long total)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect("127.0.0.1", port);
        var writer = new RawSocket.FrameWriter(socket);
        var reader = new RawSocket.FrameReader(socket);
        writer.Write(new Small { Id = RawSocket.CountMode, Stamp = total });
        writer.Flush();
        var clock = Stopwatch.StartNew();
        for (var i = 0L; i < total; i++)
        {
            writer.Write(Small.Make(i));
        }

        writer.Flush();
        var reported = false;
        while (!reported && reader.ReadBatch(frame => reported = true) > 0)
        {
        }

        return clock.Elapsed;
    }
}
