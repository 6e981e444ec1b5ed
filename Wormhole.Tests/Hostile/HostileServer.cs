using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Hostile;

/// <summary>
/// One server per transport shared by the hostile-peer tests: a nexus with tight but realistic limits, its actors, and
/// <see cref="GoodClientCount"/> well-behaved clients (another actor system) doing round trips all the time. It records
/// every fault that would mean something escaped Wormhole: unhandled and unobserved exceptions, error logs of the server.
/// </summary>
public abstract class HostileServer : IAsyncLifetime
{
    public const int GoodClientCount = 20;

    /// <summary>The server's limits: small, so that floods stay short.</summary>
    public static readonly NexusOptions Options = new()
    {
        MaxFrameBytes = 64 * 1024,
        HandshakeTimeout = TimeSpan.FromSeconds(2),
        MaxUnknownRequests = 20,
        MaxMessageDepth = 16,
        MaxInboundFramesPerSecond = 2_000,
        MaxInboundBytesPerSecond = 4 * 1024 * 1024,
        MaxStreams = 32,
        MaxStreamElementBytes = 4096,
        StreamSubscriptionTimeout = TimeSpan.FromSeconds(2),
    };

    private readonly ConcurrentQueue<string> _faults = new();
    private readonly List<GoodClient> _goodClients = [];
    private ActorSystem _clientSystem = null!;
    private Nexus _clientNexus = null!;

    public ActorSystem System { get; private set; } = null!;

    public Nexus Nexus { get; private set; } = null!;

    public IReadOnlyList<GoodClient> GoodClients => _goodClients;

    /// <summary>The values of the <see cref="Node"/>s the "silent" actor received (it answers nothing).</summary>
    public ConcurrentQueue<int> SilentReceived { get; } = new();

    /// <summary>The answers the "asker" actor got to its asks (a reply port each).</summary>
    public ConcurrentQueue<int> AskerAnswers { get; } = new();

    /// <summary>The sources of the streams the "streams" actor offered, by the tag of the ask: what was pulled from them.</summary>
    public ConcurrentDictionary<int, ProducerProbe> Producers { get; } = new();

    /// <summary>What the "sink" actor received (streams the peer offers, unconsumed), by the offer's tag.</summary>
    public ConcurrentDictionary<int, TaskCompletionSource<StreamOffer>> Offers { get; } = new();

    /// <summary>The offer the "sink" actor received with <paramref name="tag"/>, once it arrives.</summary>
    public Task<StreamOffer> OfferAsync(int tag) => Offers.GetOrAdd(tag, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(Bounds.Long);

    /// <summary>Anything that escaped: unhandled or unobserved exceptions, error logs of the server system.</summary>
    public IReadOnlyCollection<string> Faults => _faults;

    /// <summary>Opens a raw connection to the server over the transport under test.</summary>
    internal abstract Task<IRawPeer> ConnectRawAsync();

    public async Task InitializeAsync()
    {
        AppDomain.CurrentDomain.UnhandledException += OnUnhandledException;
        TaskScheduler.UnobservedTaskException += OnUnobservedTaskException;
        System = ActorSystem.Create("hostile-server", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        System.EventStream.Subscribe(System.ActorOf(Props.Create(() => new ErrorRecorder(_faults))), typeof(Error));
        Nexus = Nexus.Create(System, Options);
        Nexus.Publish("echo", FnActor.Spawn<Ping>(System, async ctx =>
        {
            await foreach (var ping in ctx.Messages)
            {
                ping.ReplyTo?.Tell(new Pong { N = ping.N });
            }
        }));
        Nexus.Publish("square", FnActor.Spawn<Square>(System, async ctx =>
        {
            await foreach (var square in ctx.Messages)
            {
                square.Reply?.Reply(square.Value * square.Value);
            }
        }));
        Nexus.Publish("silent", FnActor.Spawn<Node>(System, async ctx =>
        {
            await foreach (var node in ctx.Messages)
            {
                if (node.Value >= 0)
                {
                    SilentReceived.Enqueue(node.Value);
                }
            }
        }));
        Nexus.Publish("asker", FnActor.Spawn<AskSquare>(System, async ctx =>
        {
            await foreach (var ask in ctx.Messages)
            {
                try
                {
                    AskerAnswers.Enqueue(await ask.Whom!.Ask<int>(port => new Square { Value = ask.Value, Reply = port }, Bounds.Long));
                }
                catch (Exception e) when (e is PortalClosedException or ReplyPortException or TimeoutException or RemoteFailureException)
                {
                    // the peer went away or answered with a failure: nothing to record
                }
            }
        }));
        Nexus.Publish("flood", FnActor.Spawn<Flood>(System, async ctx =>
        {
            await foreach (var flood in ctx.Messages)
            {
                for (var i = 0; i < flood.Count; i++)
                {
                    flood.To?.Tell(new Node { Value = i, Items = [.. new long[flood.Bytes / sizeof(long)]] });
                }
            }
        }));
        Nexus.Publish("streams", FnActor.Spawn<StreamAsk>(System, async ctx =>
        {
            await foreach (var ask in ctx.Messages)
            {
                var probe = Producers.GetOrAdd(ask.Tag, _ => new ProducerProbe());
                ask.Reply?.Reply(new StreamOffer
                {
                    Tag = ask.Tag,
                    Events = probe.Pieces(ask.Count, ask.PadBytes),
                    More = [.. Enumerable.Range(1, Math.Max(0, ask.Streams - 1)).Select(_ => probe.Pieces(ask.Count, ask.PadBytes))],
                });
            }
        }));
        Nexus.Publish("sink", FnActor.Spawn<StreamOffer>(System, async ctx =>
        {
            await foreach (var offer in ctx.Messages)
            {
                Offers.GetOrAdd(offer.Tag, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(offer);
            }
        }));
        var conduit = await StartTransportAsync(Nexus);

        _clientSystem = ActorSystem.Create("good-clients", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        _clientNexus = Nexus.Create(_clientSystem);
        _goodClients.AddRange(await Task.WhenAll(Enumerable.Range(0, GoodClientCount).Select(i => GoodClient.StartAsync(i, _clientSystem, _clientNexus, conduit))));
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_goodClients.Select(c => c.DisposeAsync().AsTask()));
        await _clientNexus.DisposeAsync();
        await _clientSystem.Terminate();
        await StopTransportAsync();
        await Nexus.DisposeAsync();
        await System.Terminate();
        AppDomain.CurrentDomain.UnhandledException -= OnUnhandledException;
        TaskScheduler.UnobservedTaskException -= OnUnobservedTaskException;
    }

    /// <summary>Starts watching the server and its good clients for one attack.</summary>
    public AttackWatch Watch(Action<string> log) => new(this, log);

    /// <summary>Serves <paramref name="nexus"/> over the transport; returns the conduit good clients connect with.</summary>
    protected abstract Task<Conduit> StartTransportAsync(Nexus nexus);

    protected abstract Task StopTransportAsync();

    private void OnUnhandledException(object sender, UnhandledExceptionEventArgs e) => _faults.Enqueue($"unhandled: {e.ExceptionObject}");

    private void OnUnobservedTaskException(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        // Process-wide: only what comes from Wormhole counts (other test classes run in parallel).
        if (e.Exception.ToString().Contains("Wormhole.Streams", StringComparison.Ordinal))
        {
            _faults.Enqueue($"unobserved: {e.Exception}");
        }
    }

    private sealed class ErrorRecorder : ReceiveActor
    {
        public ErrorRecorder(ConcurrentQueue<string> faults) => Receive<Error>(e => faults.Enqueue($"error log from {e.LogSource}: {e.Message} {e.Cause}"));
    }
}
