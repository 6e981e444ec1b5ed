using System.Diagnostics;
using System.Net;
using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Streams.Portals;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Portals;

/// <summary>
/// A frame read from a socket reaches its target actor in one dispatch: the portal's graph runs on the thread that
/// completed the read (<see cref="PortalDispatcher"/>), and only there; everything else still runs on the thread pool.
/// </summary>
public sealed class PortalDispatcherTests : Akka.TestKit.Xunit2.TestKit
{
    public PortalDispatcherTests()
        : base("akka.loglevel = WARNING") => PortalDispatcher.Register(Sys);

    [Fact]
    public Task MessageReadFromTcp_IsToldToItsTarget_OnTheThreadThatCompletedTheRead() =>
        AssertToldOnTheReadsThreadAsync(async server =>
        {
            var listener = await server.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
            return (Conduit.Tcp(listener.LocalEndPoint), listener);
        });

    [Fact]
    public Task MessageReadFromWebSocket_IsToldToItsTarget_OnTheThreadThatCompletedTheRead() =>
        AssertToldOnTheReadsThreadAsync(async server =>
        {
            var app = await KestrelWormhole.StartAsync(server);
            return (Conduit.WebSocket(app.WebSocketUri()), app);
        });

    [Fact]
    public async Task RunInline_RunsAPortalActorItWakes_OnTheCallingThread()
    {
        var ran = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = Sys.ActorOf(Props.Create(() => new ThreadRecorder(ran)).WithDispatcher(PortalDispatcher.DispatcherId));
        await WarmUpAsync(actor);

        var caller = await OnOwnThreadAsync(() => PortalDispatcher.RunInline(message => actor.Tell(message), "go"));

        Assert.Equal(caller, await ran.Task.WaitAsync(Bounds.Long));
    }

    [Fact]
    public async Task Tell_OutsideRunInline_RunsAPortalActorOnThePool()
    {
        var ran = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = Sys.ActorOf(Props.Create(() => new ThreadRecorder(ran)).WithDispatcher(PortalDispatcher.DispatcherId));
        await WarmUpAsync(actor);

        var caller = await OnOwnThreadAsync(() => actor.Tell("go"));

        Assert.NotEqual(caller, await ran.Task.WaitAsync(Bounds.Long));
    }

    [Fact]
    public async Task RunInline_APortalActorWokenByTheInlineOne_RunsOnThePool()
    {
        var ran = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = Sys.ActorOf(Props.Create(() => new ThreadRecorder(ran)).WithDispatcher(PortalDispatcher.DispatcherId));
        var first = Sys.ActorOf(Props.Create(() => new Forwarder(second)).WithDispatcher(PortalDispatcher.DispatcherId));
        await WarmUpAsync(second);

        var caller = await OnOwnThreadAsync(() => PortalDispatcher.RunInline(message => first.Tell(message), "go"));

        Assert.NotEqual(caller, await ran.Task.WaitAsync(Bounds.Long));
    }

    /// <summary>Serves a nexus with <paramref name="serve"/>, tells its published target through a client portal, and checks where the tell came from.</summary>
    private async Task AssertToldOnTheReadsThreadAsync(Func<Nexus, Task<(Conduit Conduit, IAsyncDisposable Listener)>> serve)
    {
        var server = Nexus.Create(Sys);
        var client = Nexus.Create(Sys);
        var target = new InlineRecordingRef(Sys);
        server.Publish("target", ActorRef<Pong>.From(target));
        var (conduit, listener) = await serve(server);
        await using (listener)
        {
            var portal = await client.ConnectAsync(conduit).WaitAsync(Bounds.Long);
            var remote = await portal.LookupAsync<Pong>("target").WaitAsync(Bounds.Long);

            remote.Tell(new Pong { N = 7 });

            Assert.True(await target.Told.WaitAsync(Bounds.Long), "the portal's graph ran on a pool turn of its own, not on the read's completion");
            await client.DisposeAsync();
            await server.DisposeAsync();
        }
    }

    /// <summary>Lets the actor start (its first turn) before the measured tell.</summary>
    private static async Task WarmUpAsync(IActorRef actor) => await actor.Ask<string>("ping", Bounds.Long);

    /// <summary>Runs <paramref name="action"/> on a thread of its own (never a pool thread); returns that thread's id.</summary>
    private static Task<int> OnOwnThreadAsync(Action action)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            action();
            done.SetResult(Environment.CurrentManagedThreadId);
        }).Start();
        return done.Task;
    }

    private sealed class ThreadRecorder : ReceiveActor
    {
        public ThreadRecorder(TaskCompletionSource<int> ran)
        {
            Receive<string>(s => s == "ping", _ => Sender.Tell("pong"));
            Receive<string>(_ => ran.TrySetResult(Environment.CurrentManagedThreadId));
        }
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef next) => ReceiveAny(message => next.Tell(message));
    }

    /// <summary>A target that records whether the first message told to it came from a read's completion (<see cref="PortalDispatcher.RunInline{T}"/> on the stack).</summary>
    private sealed class InlineRecordingRef(ActorSystem system) : MinimalActorRef
    {
        private readonly TaskCompletionSource<bool> _told = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<bool> Told => _told.Task;

        public override ActorPath Path { get; } = new RootActorPath(Address.AllSystems) / "inline-recording";

        public override IActorRefProvider Provider { get; } = ((ExtendedActorSystem)system).Provider;

        protected override void TellInternal(object message, IActorRef sender)
        {
            if (message is Pong)
            {
                _told.TrySetResult(new StackTrace().GetFrames().Any(f => f.GetMethod() is { Name: nameof(PortalDispatcher.RunInline) } m && m.DeclaringType == typeof(PortalDispatcher)));
            }
        }
    }
}
