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
/// One-way throughput: one sender, one remote sink. The figure is messages counted by the sink divided by the time from
/// the first send until the sink reports the last one. The sender keeps at most <see cref="Window"/> messages unacknowledged
/// (the sink acknowledges every <see cref="AckEvery"/>), the same for every actor system and SignalR; the raw socket relies on TCP.
/// Each system sends enough for its run to last seconds: Wormhole 1,000,000 messages, Akka.Remote (either serializer) a quarter,
/// SignalR (MessagePack, <see cref="MessageHub"/>) a half, the raw socket four times.
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
                (Systems.WormholeTls, _ => Clients.TlsConduit(server)),
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

            report.Note($"tell {Systems.WormholeTls}: {Report.Ratio(rates[Systems.WormholeTls], rates[Systems.WormholeTcp])} of {Systems.WormholeTcp}'s msgs/s");
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

        await using (var server = await ChildServer.StartAsync("signalr"))
        {
            await using var connection = await StreamPeers.SignalRAsync(server, SignalRServer.MessagesPath);
            var signalRTotal = total / 2;
            await WarmUp.RunAsync(quick, server, Systems.SignalR, () => SignalR(connection, warmup));
            var allocated = GC.GetTotalAllocatedBytes(precise: false);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var serverBefore = await server.CommandAsync("stats");
            var elapsed = await SignalR(connection, signalRTotal);
            var serverCost = ServerCost(serverBefore, await server.CommandAsync("stats"), signalRTotal);
            rates[Systems.SignalR] = signalRTotal / elapsed.TotalSeconds;
            report.Emit("tell", Systems.SignalR, new()
            {
                ["messages"] = signalRTotal,
                ["seconds"] = elapsed.TotalSeconds,
                ["msgsPerSec"] = rates[Systems.SignalR],
                ["senderAllocBytesPerMsg"] = (GC.GetTotalAllocatedBytes(false) - allocated) / (double)signalRTotal,
                ["senderCpuUsPerMsg"] = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / signalRTotal,
                ["receiverAllocBytesPerMsg"] = serverCost.AllocPerMsg,
                ["receiverCpuUsPerMsg"] = serverCost.CpuUsPerMsg,
            });
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

    /// <summary>
    /// Table rows and the targets for a throughput workload: ≥ 2× Akka.Remote, ≥ 50% of the raw socket, and, where they
    /// ran, ≥ 2× SignalR (MessagePack) and ≥ 5× Akka.Remote with protobuf-net (issue 13).
    /// </summary>
    public static void Compare(Report report, string workload, Dictionary<string, double> rates, string unit)
    {
        var akka = rates[Systems.AkkaRemote];
        var raw = rates[Systems.RawSocket];
        var signalR = rates.GetValueOrDefault(Systems.SignalR);
        var akkaProtobuf = rates.GetValueOrDefault(Systems.AkkaRemoteProtobuf);
        foreach (var (system, rate) in rates)
        {
            var peers = (signalR > 0 ? $", {Report.Ratio(rate, signalR)} SignalR" : "") + (akkaProtobuf > 0 ? $", {Report.Ratio(rate, akkaProtobuf)} akka-remote-protobuf" : "");
            report.Row(workload, system, $"{Report.Rate(rate)} {unit}{peers}", Report.Ratio(rate, akka), Report.Ratio(rate, raw));
        }

        foreach (var system in new[] { Systems.WormholeTcp, Systems.WormholeWebSocket })
        {
            var rate = rates[system];
            report.Target($"{workload} {system} ≥ 2× akka-remote", rate >= 2 * akka, $"{Report.Rate(rate)} vs {Report.Rate(akka)} {unit} = {Report.Ratio(rate, akka)}");
            report.Target($"{workload} {system} ≥ 50% of raw-socket", rate >= 0.5 * raw, $"{Report.Rate(rate)} vs {Report.Rate(raw)} {unit} = {Report.Ratio(rate, raw)}");
            if (signalR > 0)
            {
                report.Target($"{workload} {system} ≥ 2× signalr-ws", rate >= 2 * signalR, $"{Report.Rate(rate)} vs {Report.Rate(signalR)} {unit} = {Report.Ratio(rate, signalR)}");
            }

            if (akkaProtobuf > 0)
            {
                report.Target($"{workload} {system} ≥ 5× akka-remote-protobuf", rate >= 5 * akkaProtobuf, $"{Report.Rate(rate)} vs {Report.Rate(akkaProtobuf)} {unit} = {Report.Ratio(rate, akkaProtobuf)}");
            }
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

    /// <summary>
    /// SignalR's tell: <c>SendAsync</c> of each message to <see cref="MessageHub.Tell"/>, at most <see cref="Window"/>
    /// unacknowledged. The window works as for the actor systems: the hub sends a progress message back to the caller every
    /// <see cref="AckEvery"/> messages (as <see cref="SinkActor"/> sends <see cref="Progress"/>), rather than the client
    /// invoking a counting method, which would put a round trip in the sender's path that the other rows do not have.
    /// The time runs from the hub's progress 0 until it reports the last message.
    /// </summary>
    private static async Task<TimeSpan> SignalR(HubConnection connection, long total)
    {
        using var cancel = new CancellationTokenSource(Clients.Bound);
        using var acknowledged = new Acknowledged();
        using var subscription = connection.On<long>(MessageHub.ProgressMethod, received =>
        {
            Volatile.Write(ref acknowledged.Received, received);
            acknowledged.Signal.Release();
        });
        await connection.InvokeAsync(nameof(MessageHub.Begin), total, AckEvery, cancel.Token); // progress 0 comes before the completion
        var clock = Stopwatch.StartNew();
        for (var i = 0L; i < total; i++)
        {
            while (i - Volatile.Read(ref acknowledged.Received) >= Window)
            {
                await acknowledged.Signal.WaitAsync(cancel.Token);
            }

            await connection.SendAsync(nameof(MessageHub.Tell), Small.Make(i), cancel.Token);
        }

        while (Volatile.Read(ref acknowledged.Received) < total)
        {
            await acknowledged.Signal.WaitAsync(cancel.Token);
        }

        return clock.Elapsed;
    }

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

    /// <summary>The SignalR sender's view of the hub's progress: the last count, and a signal per report.</summary>
    private sealed class Acknowledged : IDisposable
    {
        public long Received;

        public SemaphoreSlim Signal { get; } = new(0);

        public void Dispose() => Signal.Dispose();
    }
}
