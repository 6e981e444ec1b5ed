using System.Diagnostics;
using System.Net.Sockets;
using System.Collections.Concurrent;
using Akka.Actor;
using Microsoft.AspNetCore.SignalR.Client;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;
using Wormhole.Benchmarks.Servers;
using Wormhole.Reactive;

namespace Wormhole.Benchmarks.Workloads;

/// <summary>
/// Akka's RemotePingPong shape: N client actors (1, 4, 16) share one connection to one remote echo actor; each keeps
/// <see cref="Window"/> messages in flight and sends the next as each echo arrives. The figure is messages per second,
/// counting both directions (2 per round trip), from the first send until every client has its last echo. SignalR
/// (<c>signalr-ws</c>) runs the same client actors over one hub connection: <c>SendAsync</c> to <see cref="MessageHub.Ping"/>,
/// which echoes through <c>Clients.Caller.SendAsync</c>.
/// </summary>
internal static class PingPongWorkload
{
    public const int Window = 100;
    private static readonly int[] Clients = [1, 4, 16];

    public static async Task RunAsync(Report report, bool quick)
    {
        var roundTrips = quick ? 4_000L : 100_000L;
        var rates = Clients.ToDictionary(n => n, _ => new Dictionary<string, double>());

        await using (var server = await ChildServer.StartAsync("wormhole"))
        {
            foreach (var webSocket in new[] { false, true })
            {
                var (system, nexus, portal) = await Harness.Clients.WormholeAsync(Harness.Clients.Conduit(server, webSocket));
                var echo = await portal.LookupAsync<Ping>("echo");
                Func<IActorRef, Action<long>> sender = self =>
                {
                    var replyTo = ActorRef<Small>.From(self);
                    return i => echo.Tell(new Ping { Body = Small.Make(i), ReplyTo = replyTo });
                };
                var name = webSocket ? Systems.WormholeWebSocket : Systems.WormholeTcp;
                await Measure(report, quick, server, name, rates, roundTrips, (n, count) => RunClientsAsync(system, n, count / n, sender));
                await Harness.Clients.CloseAsync(system, nexus);
            }
        }

        foreach (var (akkaName, protobuf) in new[] { (Systems.AkkaRemote, false), (Systems.AkkaRemoteProtobuf, true) })
        {
            await using var server = await ChildServer.StartAsync(protobuf ? ["akka", "--protobuf"] : ["akka"]);
            var (system, echo) = await Harness.Clients.AkkaRemoteAsync(server, "echo", protobuf);
            Func<IActorRef, Action<long>> sender = self => i => echo.Tell(Small.Make(i), self);
            await Measure(report, quick, server, akkaName, rates, roundTrips, (n, count) => RunClientsAsync(system, n, count / n, sender));
            await system.Terminate();
        }

        await using (var server = await ChildServer.StartAsync("signalr"))
        {
            // The same client actors on a local actor system; each pings with its number, and the hub echoes to the
            // caller's Pong method (Clients.Caller.SendAsync), which hands the echo to that client actor.
            var system = ActorSystem.Create("client", Config.Quiet);
            await using var connection = await StreamPeers.SignalRAsync(server, SignalRServer.MessagesPath);
            var actors = new ConcurrentDictionary<int, IActorRef>();
            var numbered = 0;
            using var pongs = connection.On<int, Small>(MessageHub.PongMethod, (client, echo) => actors[client].Tell(echo));
            Func<IActorRef, Action<long>> sender = self =>
            {
                var client = Interlocked.Increment(ref numbered);
                actors[client] = self;
                return i => Observe(connection.SendAsync(nameof(MessageHub.Ping), client, Small.Make(i)));
            };
            await Measure(report, quick, server, Systems.SignalR, rates, roundTrips, (n, count) => RunClientsAsync(system, n, count / n, sender));
            await system.Terminate();
        }

        await using (var server = await ChildServer.StartAsync("raw"))
        {
            await Measure(report, quick, server, Systems.RawSocket, rates, roundTrips * 4, (n, count) => Task.Run(() => Raw(server.Port, n * Window, count)));
        }

        foreach (var n in Clients)
        {
            TellWorkload.Compare(report, $"ping-pong N={n}", rates[n], "msgs/s");
        }
    }

    private static async Task Measure(Report report, bool quick, ChildServer server, string system, Dictionary<int, Dictionary<string, double>> rates, long roundTrips, Func<int, long, Task<TimeSpan>> run)
    {
        await WarmUp.RunAsync(quick, server, system, () => run(4, roundTrips / 4));
        var runs = new List<Dictionary<string, object?>>();
        foreach (var n in Clients)
        {
            var elapsed = await run(n, roundTrips);
            var rate = 2 * (roundTrips / n * n) / elapsed.TotalSeconds;
            rates[n][system] = rate;
            runs.Add(new() { ["clients"] = n, ["window"] = Window, ["roundTrips"] = roundTrips / n * n, ["seconds"] = Math.Round(elapsed.TotalSeconds, 3), ["msgsPerSec"] = Math.Round(rate) });
        }

        report.Emit("ping-pong", system, new() { ["runs"] = runs });
    }

    /// <summary>
    /// A send an actor cannot await (as Akka's <c>Tell</c>, it does not wait for the write): a failure ends the program,
    /// rather than leaving the run to wait out its bound for echoes that will not come.
    /// </summary>
    private static void Observe(Task send)
    {
        if (!send.IsCompletedSuccessfully)
        {
            send.ContinueWith(
                failed => Environment.FailFast("ping-pong signalr-ws: a send failed", failed.Exception),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    /// <summary>One socket, <paramref name="window"/> frames in flight (N clients × window, multiplexed), echoes counted.</summary>
    private static TimeSpan Raw(int port, int window, long total)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect("127.0.0.1", port);
        var writer = new RawSocket.FrameWriter(socket);
        var reader = new RawSocket.FrameReader(socket);
        writer.Write(new Small { Id = RawSocket.EchoMode });
        writer.Flush();
        using var credit = new SemaphoreSlim(window, window);
        var clock = Stopwatch.StartNew();
        var sending = Task.Run(() =>
        {
            for (var i = 0L; i < total; i++)
            {
                if (!credit.Wait(0))
                {
                    writer.Flush();
                    credit.Wait();
                }

                writer.Write(Small.Make(i));
            }

            writer.Flush();
        });
        var received = 0L;
        while (received < total && reader.ReadBatch(frame =>
               {
                   _ = ProtoBuf.Serializer.Deserialize<Small>(frame);
                   received++;
                   credit.Release();
               }) > 0)
        {
        }

        var elapsed = clock.Elapsed;
        sending.Wait();
        return elapsed;
    }

    private static async Task<TimeSpan> RunClientsAsync(ActorSystem system, int clients, long perClient, Func<IActorRef, Action<long>> makeSend)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var remaining = clients;
        Action finished = () =>
        {
            if (Interlocked.Decrement(ref remaining) == 0)
            {
                done.TrySetResult();
            }
        };
        var actors = Enumerable.Range(0, clients)
            .Select(_ => system.ActorOf(Props.Create(() => new PingClient(makeSend, perClient, finished))))
            .ToList();
        var clock = Stopwatch.StartNew();
        actors.ForEach(actor => actor.Tell("go"));
        try
        {
            await done.Task.WaitAsync(Harness.Clients.Bound);
            return clock.Elapsed;
        }
        finally
        {
            actors.ForEach(system.Stop);
        }
    }

    /// <summary>A client actor: keeps <see cref="Window"/> pings in flight until it has <c>total</c> echoes.</summary>
    private sealed class PingClient : UntypedActor
    {
        private readonly Func<IActorRef, Action<long>> _makeSend;
        private readonly long _total;
        private readonly Action _done;
        private Action<long> _send = _ => { };
        private long _sent, _received;

        public PingClient(Func<IActorRef, Action<long>> makeSend, long total, Action done)
        {
            _makeSend = makeSend;
            _total = total;
            _done = done;
        }

        protected override void PreStart() => _send = _makeSend(Self);

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case "go":
                    while (_sent < _total && _sent < Window)
                    {
                        _send(_sent++);
                    }

                    break;
                case Small:
                    if (_sent < _total)
                    {
                        _send(_sent++);
                    }

                    if (++_received == _total)
                    {
                        _done();
                    }

                    break;
            }
        }
    }
}
