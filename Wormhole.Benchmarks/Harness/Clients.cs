using Akka.Actor;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Streams;

namespace Wormhole.Benchmarks.Harness;

/// <summary>The coordinating side's end of one system under test.</summary>
internal static class Clients
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    /// <summary>A fresh actor system and nexus with one portal to the server over <paramref name="conduit"/>.</summary>
    public static Task<(ActorSystem System, Nexus Nexus, Portal Portal)> WormholeAsync(Conduit conduit, NexusOptions? options = null) =>
        WormholeAsync(_ => conduit, options);

    /// <summary>As above, with a conduit made for the client's actor system.</summary>
    public static async Task<(ActorSystem System, Nexus Nexus, Portal Portal)> WormholeAsync(Func<ActorSystem, Conduit> conduit, NexusOptions? options = null)
    {
        var system = ActorSystem.Create("client", Config.Quiet);
        var nexus = Nexus.Create(system, options ?? TrustedPeerOptions.Create());
        var portal = await nexus.ConnectAsync(conduit(system)).WaitAsync(Bound);
        return (system, nexus, portal);
    }

    public static Conduit Conduit(ChildServer server, bool webSocket) =>
        webSocket ? Streams.Conduit.WebSocket(new Uri(server.Announced["websocket"])) : Streams.Conduit.Tcp("127.0.0.1", server.Port);

    /// <summary>A TCP connection with TLS to the <c>serve wormhole</c> server, trusting the certificate it announced.</summary>
    public static Conduit TlsConduit(ChildServer server)
    {
        var endpoint = System.Net.IPEndPoint.Parse(server.Announced["tls"]);
        return Streams.Conduit.Tcp(endpoint.Address.ToString(), endpoint.Port, BenchmarkCertificate.Trusting(server.Announced["tls-thumbprint"]));
    }

    public static async Task CloseAsync(ActorSystem system, Nexus nexus)
    {
        await nexus.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
    }

    /// <summary>
    /// A fresh remoting actor system and the server's actor at <paramref name="name"/>; with <paramref name="protobuf"/>,
    /// configured as the <c>serve akka --protobuf</c> server (<see cref="Config.RemoteProtobuf"/>).
    /// </summary>
    public static async Task<(ActorSystem System, IActorRef Target)> AkkaRemoteAsync(ChildServer server, string name, bool protobuf = false)
    {
        var system = ActorSystem.Create("client", protobuf ? Config.RemoteProtobuf : Config.Remote);
        var target = await system.ActorSelection($"akka.tcp://server@{server.Endpoint}/user/{name}").ResolveOne(Bound);
        return (system, target);
    }

    /// <summary>Runs a <see cref="WindowedSender"/> and returns its measured time.</summary>
    public static async Task<TimeSpan> SendWindowedAsync(ActorSystem system, Action<IActorRef> begin, Action<long> send, long total, int window)
    {
        var done = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = system.ActorOf(Props.Create(() => new WindowedSender(begin, send, total, window, done)));
        try
        {
            return await done.Task.WaitAsync(Bound);
        }
        finally
        {
            system.Stop(actor);
        }
    }

    /// <summary>
    /// Sends <c>total</c> messages with at most <c>window</c> unacknowledged, after a <see cref="Begin"/> the sink confirms;
    /// completes with the time from the first send until the sink has counted the last one.
    /// </summary>
    public sealed class WindowedSender : UntypedActor
    {
        private readonly Action<IActorRef> _begin;
        private readonly Action<long> _send;
        private readonly long _total;
        private readonly int _window;
        private readonly TaskCompletionSource<TimeSpan> _done;
        private System.Diagnostics.Stopwatch? _clock;
        private long _sent;

        public WindowedSender(Action<IActorRef> begin, Action<long> send, long total, int window, TaskCompletionSource<TimeSpan> done)
        {
            _begin = begin;
            _send = send;
            _total = total;
            _window = window;
            _done = done;
        }

        protected override void PreStart() => _begin(Self);

        protected override void OnReceive(object message)
        {
            if (message is not Progress progress)
            {
                return;
            }

            if (_clock is null)
            {
                _clock = System.Diagnostics.Stopwatch.StartNew();
            }
            else if (progress.Received >= _total)
            {
                _done.TrySetResult(_clock.Elapsed);
                return;
            }

            while (_sent < _total && _sent - progress.Received < _window)
            {
                _send(_sent++);
            }
        }
    }
}
