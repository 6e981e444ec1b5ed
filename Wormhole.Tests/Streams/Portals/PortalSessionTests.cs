using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Streams.Portals;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Transmaterialization;
using Wormhole.Tests.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Portals;

/// <summary>The portal's state machine without a stream: frames and ticks in, frames and closes out, time as the test says.</summary>
public sealed partial class PortalSessionTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan OwnIdle = TimeSpan.FromSeconds(60);

    [Fact]
    public void Session_Start_SendsHelloWithItsLimits()
    {
        var (session, host) = Create();

        session.Start();

        var hello = Assert.IsType<Hello>(Assert.Single(host.Sent));
        Assert.Equal(1024u * 1024, hello.MaxFrameBytes);
        Assert.Equal(60_000u, hello.IdleTimeoutMs);
    }

    [Fact]
    public void Session_PeersIdleTimeoutShorter_TicksAtASixthOfIt_AndKeepsAliveWithinHalfOfIt()
    {
        var (session, host) = Open(peerIdleMs: 3_000);

        Assert.Equal(TimeSpan.FromMilliseconds(500), host.IdleTick);
        session.OnIdleTick();
        Assert.Empty(host.Sent);
        session.OnIdleTick();
        Assert.IsType<KeepAlive>(Assert.Single(host.Sent)); // after two quiet ticks: 1 s of the peer's 3 s
        Assert.Null(host.Closed);
    }

    [Fact]
    public void Session_SilentPeer_ClosesAfterThisSidesOwnTimeout_NotThePeers()
    {
        var (session, host) = Open(peerIdleMs: 3_000); // ticks of 500 ms; this side waits its own 60 s

        for (var tick = 0; tick < 120; tick++)
        {
            session.OnIdleTick();
        }

        Assert.Null(host.Closed); // 60 s of silence exactly: not past it yet
        session.OnIdleTick();
        Assert.NotNull(host.Closed);
        Assert.Equal(PortalCloseKind.LimitExceeded, host.Closed!.Kind);
        Assert.Equal(nameof(NexusOptions.IdleTimeout), host.Closed.Limit);
        Assert.Equal(PortalErrorCodes.IdleTimeout, Assert.IsType<ErrorFrame>(host.Last).Code);
    }

    [Fact]
    public void Session_AnyFrame_ResetsTheSilence()
    {
        var (session, host) = Open(peerIdleMs: 3_000);

        for (var tick = 0; tick < 1_000; tick++)
        {
            session.OnIdleTick();
            if (tick % 100 == 0)
            {
                session.OnFrame(new KeepAlive());
            }
        }

        Assert.Null(host.Closed);
    }

    [Fact]
    public void Session_FrameBeforeHello_FailsWithHelloExpected_InWormholesWords()
    {
        var (session, host) = Create();
        session.Start();

        session.OnFrame(new Lookup { RequestId = 1, Name = "x" });

        Assert.Equal(PortalCloseKind.ProtocolViolation, host.Closed!.Kind);
        Assert.Equal(PortalErrorCodes.HelloExpected, host.Closed.Code);
        var error = Assert.IsType<ErrorFrame>(host.Last);
        Assert.Equal(PortalErrorCodes.HelloExpected, error.Code);
        Assert.Equal("the first frame must be Hello", error.Message);
    }

    [Fact]
    public void Session_HelloWithAFrameLimitUnderTheMinimum_FailsTheHandshake()
    {
        var (session, host) = Create();
        session.Start();

        session.OnFrame(new Hello { ProtocolVersion = Hello.CurrentVersion, MaxFrameBytes = 100 });

        Assert.Equal(PortalCloseKind.HandshakeFailed, host.Closed!.Kind);
        Assert.Equal(PortalErrorCodes.BadHello, host.Closed.Code);
    }

    [Fact]
    public void Session_PeerError_ClosesWithItsCodeAndLimit()
    {
        var (session, host) = Open(peerIdleMs: 0);

        session.OnFrame(new ErrorFrame { Code = "MaxProxies", Message = "too many" });

        Assert.Equal(PortalCloseKind.PeerError, host.Closed!.Kind);
        Assert.Equal("MaxProxies", host.Closed.Code);
        Assert.Equal(nameof(NexusOptions.MaxProxies), host.Closed.Limit);
        Assert.Null(host.Last); // nothing answers an Error
    }

    [Fact]
    public async Task Session_MessageOverThePeersFrameLimit_FailsAtTheSender_NothingIsSent()
    {
        var (session, host) = Open(peerIdleMs: 0, peerMaxFrameBytes: 1024);
        var proxy = await LookUpAsync(session, host);
        host.Sent.Clear();

        session.OnCommand(new PortalCommand.Forward(proxy, new Blob { Data = new byte[2000] }, TestActor));

        var refused = Assert.IsType<LimitExceededException>(ExpectMsg<Status.Failure>(Bounds.Long).Cause);
        Assert.Equal(nameof(NexusOptions.MaxFrameBytes), refused.Limit);
        Assert.Empty(host.Sent);
        Assert.Null(host.Closed);
    }

    [Fact]
    public async Task Session_MessageThatFitsOnlyWithoutItsTraceContext_GoesWithoutIt_WithinThePeersFrameLimit()
    {
        var (session, host) = Open(peerIdleMs: 0, peerMaxFrameBytes: 1024);
        var proxy = await LookUpAsync(session, host);
        host.Sent.Clear();
        var trace = new System.Diagnostics.Activity("sender").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C).Start();
        trace.TraceStateString = "k=" + new string('v', 510);
        trace.Stop();

        // 957 bytes of data: a 960-byte payload, the most a 1,024-byte frame takes with DeliverOverhead (64) to spare
        session.OnCommand(new PortalCommand.Forward(proxy, new Blob { Data = new byte[957] }, TestActor, trace));

        var deliver = Assert.IsType<Deliver>(Assert.Single(host.Sent));
        Assert.Equal(960, deliver.Payload!.Length);
        Assert.True(FrameCodec.Encode(deliver).Count <= 1024, $"a frame of {FrameCodec.Encode(deliver).Count} bytes for a peer that takes 1,024");
        Assert.Null(deliver.TraceState);
        Assert.Null(host.Closed);
    }

    [Fact]
    public void Session_FailureReplyThatFitsOnlyWithoutItsTraceContext_GoesWithoutIt_WithinThePeersFrameLimit()
    {
        var (session, host) = Open(peerIdleMs: 0, peerMaxFrameBytes: 1024, publications: [("blobs", TestActor, typeof(Blob))]);
        session.OnFrame(new Deliver { Target = Published(session, host, "blobs"), Payload = [], ReplyTo = WireId.NewRandom(), ReplyWithinMs = 10_000 });
        ExpectMsg<Blob>(Bounds.Long);
        var replyTarget = Assert.IsType<ProxyRef>(LastSender);
        var trace = new System.Diagnostics.Activity("request").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C).Start();
        trace.TraceStateString = "k=" + new string('v', 510);
        trace.Stop();

        session.OnCommand(new PortalCommand.Forward(replyTarget, new Status.Failure(new InvalidOperationException(new string('x', 950))), ActorRefs.NoSender!, trace));

        var failure = Assert.IsType<Deliver>(host.Sent[^1]);
        Assert.Equal(950, failure.Failure!.Length);
        Assert.True(FrameCodec.Encode(failure).Count <= 1024, $"a frame of {FrameCodec.Encode(failure).Count} bytes for a peer that takes 1,024");
        Assert.Null(host.Closed);
    }

    [Fact]
    public async Task Session_WrongTypeToAProxy_IsRefused_NothingIsSent()
    {
        var (session, host) = Open(peerIdleMs: 0);
        var proxy = await LookUpAsync(session, host);
        host.Sent.Clear();

        session.OnCommand(new PortalCommand.Forward(proxy, "a string", TestActor));

        Assert.IsType<UnsupportedMessageTypeException>(ExpectMsg<Status.Failure>(Bounds.Long).Cause);
        Assert.Empty(host.Sent);
    }

    [Fact]
    public async Task Session_Shutdown_TerminatesProxies_AndFailsPendingLookups()
    {
        var (session, host) = Open(peerIdleMs: 0);
        var proxy = await LookUpAsync(session, host);
        Watch(proxy);
        var pending = new TaskCompletionSource<IActorRef>();
        session.OnCommand(new PortalCommand.Lookup("later", typeof(Blob), pending));
        var reason = new PortalCloseReason(PortalCloseKind.ConduitFailed, "gone");

        session.Shutdown(reason);

        ExpectTerminated(proxy, Bounds.Long);
        Assert.Same(reason, (await Assert.ThrowsAsync<PortalClosedException>(() => pending.Task)).Reason);
    }

    [Fact]
    public async Task Proxy_RemoteActorGone_ATellWithNoSender_GoesToDeadLetters_WithoutThrowing()
    {
        var (session, host) = Open(peerIdleMs: 0);
        var proxy = await LookUpAsync(session, host);
        session.OnFrame(new TerminatedFrame { Id = proxy.Id });
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));

        proxy.Tell(new Blob(), null); // as from a thread outside any actor; a DeadLetter with a null sender would throw

        Assert.Same(proxy, ExpectMsg<DeadLetter>(Bounds.Long).Recipient);
    }

    private async Task<ProxyRef> LookUpAsync(PortalSession session, FakeHost host, Type? messageType = null)
    {
        var result = new TaskCompletionSource<IActorRef>();
        session.OnCommand(new PortalCommand.Lookup("blobs", messageType ?? typeof(Blob), result));
        var lookup = Assert.IsType<Lookup>(host.Sent[^1]);
        session.OnFrame(new LookupReply { RequestId = lookup.RequestId, ActorId = WireId.NewRandom() });
        return Assert.IsType<ProxyRef>(await result.Task.WaitAsync(Bounds.Long));
    }

    private (PortalSession Session, FakeHost Host) Open(uint peerIdleMs, uint peerMaxFrameBytes = 1024 * 1024, (string, IActorRef, Type)[]? publications = null)
    {
        var (session, host) = Create(publications ?? []);
        session.Start();
        session.OnFrame(new Hello { ProtocolVersion = Hello.CurrentVersion, MaxFrameBytes = peerMaxFrameBytes, IdleTimeoutMs = peerIdleMs });
        Assert.True(session.IsOpen);
        host.Sent.Clear();
        return (session, host);
    }

    private (PortalSession Session, FakeHost Host) Create((string, IActorRef, Type)[]? publications = null)
    {
        var nexus = Nexus.Create(Sys);
        var options = new NexusOptions { IdleTimeout = OwnIdle };
        var counters = new PortalCounters();
        var portal = new Portal("test", counters, nexus.Payloads);
        var host = new FakeHost(((ExtendedActorSystem)Sys).Provider, Sys.Log, Sys.Materializer());
        var session = new PortalSession(host, nexus, portal, options, counters, WireId.NewRandom(), publications ?? []);
        return (session, host);
    }

    /// <summary>Records the session's outcomes.</summary>
    private sealed class FakeHost(IActorRefProvider provider, ILoggingAdapter log, IMaterializer materializer) : IPortalSessionHost
    {
        /// <summary>What proxies and streams post; the test drains it (<c>Commands.Drain(n, session.OnCommand)</c>).</summary>
        public PortalCommandQueue Commands { get; } = new(_ => { }, new PortalCounters());

        public IMaterializer Materializer => materializer;

        public int StreamsReadyCalls { get; private set; }

        public void StreamsReady() => StreamsReadyCalls++;

        public List<Frame> Sent { get; } = [];

        public PortalCloseReason? Closed { get; private set; }

        public Frame? Last { get; private set; }

        public TimeSpan IdleTick { get; private set; }

        public ILoggingAdapter Log => log;

        public void Send(Frame frame) => Sent.Add(frame);

        public void Close(PortalCloseReason reason, Frame? last)
        {
            Closed = reason;
            Last = last;
        }

        public void SetIdleTick(TimeSpan interval) => IdleTick = interval;

        public void Watch(IActorRef actor)
        {
        }

        public void Unwatch(IActorRef actor)
        {
        }

        public bool TryTakeProxy() => true;

        public void ReturnProxies(int count)
        {
        }

        public ProxyRef CreateProxy(WireId id, Type? messageType, bool oneShot, long expiresAtTick) =>
            new(provider.TempPath(), provider, Commands, id, messageType, oneShot) { ExpiresAtTick = expiresAtTick };
    }
}
