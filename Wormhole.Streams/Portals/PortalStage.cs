using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;
using Wormhole.Streams.Logging;
using Wormhole.Streams.Protocol;

namespace Wormhole.Streams.Portals;

/// <summary>
/// The portal as a stream stage: a thin shell that moves frames between the conduit and a <see cref="PortalSession"/>,
/// decodes and encodes them (<see cref="FrameCodec"/>), holds the inbound rate limit, runs its timers, and bounds what
/// waits for the peer. Messages told to proxies arrive through its command queue.
/// </summary>
/// <remarks>
/// <para>
/// Emits when: a frame is ready (handshake, a proxy's message, a reply, a lifetime notice), one encoded frame per element.
/// Backpressures when: downstream does not pull; frames then queue up to <see cref="NexusOptions.MaxOutboundFrames"/>,
/// past which <see cref="NexusOptions.OutboundOverflow"/> applies. Upstream is pulled one frame at a time; a frame the
/// <see cref="InboundRateLimit"/> refuses waits here until its tokens are there, and nothing more is pulled meanwhile.
/// Completes when: the portal closes for any reason (<see cref="Portal.Completion"/> says which). Never fails the stream
/// for a peer's fault.
/// </para>
/// <para>
/// One stage rather than a codec and a rate limit beside it: every stage of a materialized graph costs each idle portal
/// its logic, handlers, connections and module, about a kilobyte.
/// </para>
/// </remarks>
internal sealed class PortalStage : GraphStageWithMaterializedValue<FlowShape<ByteString, ByteString>, Portal>
{
    private readonly Nexus _nexus;
    private readonly NexusOptions _options;
    private readonly IReadOnlyList<(string Name, IActorRef Actor, Type MessageType)> _publications;
    private readonly PortalCounters _counters;
    private readonly LastWords? _lastWords;
    private readonly PortalOrigin _origin;

    /// <param name="nexus">The nexus that owns the portal.</param>
    /// <param name="options">This portal's limits (validated).</param>
    /// <param name="publications">Actors published on this portal only, visible from its first frame.</param>
    /// <param name="counters">The portal's counters.</param>
    /// <param name="lastWords">Shared with the conduit's stages: an <c>Error</c> is handed over there, ahead of what waits; null: emitted in order.</param>
    /// <param name="origin">Who the peer is, as far as the conduit and admission know; null: nothing is known.</param>
    public PortalStage(Nexus nexus, NexusOptions options, IReadOnlyList<(string Name, IActorRef Actor, Type MessageType)> publications, PortalCounters counters, LastWords? lastWords = null, PortalOrigin? origin = null)
    {
        _lastWords = lastWords;
        _origin = origin ?? PortalOrigin.Unknown;
        _nexus = nexus;
        _options = options;
        _publications = publications;
        _counters = counters;
        Shape = new FlowShape<ByteString, ByteString>(In, Out);
    }

    public Inlet<ByteString> In { get; } = new("Portal.in");

    public Outlet<ByteString> Out { get; } = new("Portal.out");

    public override FlowShape<ByteString, ByteString> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("Portal");

    public override ILogicAndMaterializedValue<Portal> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var conduitHalf = WireId.NewRandom();
        var portal = new Portal(conduitHalf.ToString().TrimEnd('…'), _counters, _nexus.Payloads) 
        {
            RemoteEndPoint = _origin.RemoteEndPoint,
            RemoteCertificate = _origin.Certificate,
            User = _origin.User,
            Properties = _origin.Properties,
            OpenedCallbacks = _origin.Opened,
        };
        return new LogicAndMaterializedValue<Portal>(new Logic(this, portal, conduitHalf), portal);
    }

    private sealed class Logic : TimerGraphStageLogic, IPortalSessionHost
    {
        private const string HandshakeTimer = "handshake";
        private const string ClosingTimer = "closing";
        private const string SweepTimer = "sweep";
        private const string IdleTimer = "idle";
        private const string RefillTimer = "refill";

        /// <summary>The sweep's period, while anything may expire.</summary>
        private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

        /// <summary>How long the last frame (an <c>Error</c> or <c>Goodbye</c>) may wait for a peer that does not read.</summary>
        private static readonly TimeSpan ClosingGrace = TimeSpan.FromSeconds(1);

        /// <summary>The most commands handled per wake, so inbound frames and pulls get their turn under a busy sender.</summary>
        private const int CommandsPerWake = 256;

        private readonly PortalStage _stage;
        private readonly Portal _portal;
        private readonly PortalSession _session;
        private readonly OutboundQueue _outbound;
        private readonly PortalCommandQueue _commands;
        private readonly InboundRateLimit _rateLimit;
        private ByteString? _waiting;
        private bool _sweeping;
        private StageActor? _self;
        private IActorRefProvider? _provider;
        private PortalCloseReason? _closeReason;
        private bool _streamsTurn;

        /// <summary>Stream credit and cancels waiting for the conduit: they go ahead of queued frames (they let the peer's streams move or stop).</summary>
        private Queue<Frame>? _streamControl;

        public Logic(PortalStage stage, Portal portal, WireId conduitHalf)
            : base(stage.Shape)
        {
            _stage = stage;
            _portal = portal;
            _rateLimit = new InboundRateLimit(stage._options, Stopwatch.GetTimestamp());
            _outbound = new OutboundQueue(stage._options, stage._counters);
            _commands = new PortalCommandQueue(GetAsyncCallback<PortalCommandQueue>(DrainCommands), stage._counters) { Room = new OutboundRoom(stage._options) };
            _session = new PortalSession(this, stage._nexus, portal, stage._options, stage._counters, conduitHalf, stage._publications);
            SetHandler(stage.In, onPush: OnFrame, onUpstreamFinish: OnUpstreamFinished, onUpstreamFailure: OnConduitFailed);
            SetHandler(stage.Out, onPull: OnPull, onDownstreamFinish: OnDownstreamFinished);
        }

        public PortalCommandQueue Commands => _commands;

        IMaterializer IPortalSessionHost.Materializer => Materializer;

        public override void PreStart()
        {
            _provider = ((ExtendedActorSystem)((ActorMaterializer)Materializer).System).Provider;
            _portal.Attach(_commands);
            _session.Start();
            ScheduleOnce(HandshakeTimer, _stage._options.HandshakeTimeout);
            ScheduleRepeatedly(IdleTimer, _session.InitialIdleTick);
            SweepIfNeeded();
            Pull(_stage.In);
        }

        public override void PostStop()
        {
            var reason = _closeReason ?? new PortalCloseReason(PortalCloseKind.ClosedLocally, "the portal's stream stopped");
            var unsent = _outbound.DropAll() + _commands.Close(reason);
            if (unsent > 0)
            {
                PortalLog.UnsentOnClose(_stage._nexus.Logs.Portal, _portal.Id, unsent, reason.Kind, reason.Message);
            }

            _session.Shutdown(reason);
            _portal.MarkClosed(reason);
            _stage._nexus.OnPortalClosed(_portal, reason);
        }

        protected override void OnTimer(object timerKey)
        {
            switch (timerKey)
            {
                case HandshakeTimer:
                    _session.OnHandshakeTimeout();
                    break;
                case ClosingTimer:
                    // The peer did not take the last frame: drop it. While an Emit is pending, Akka defers completing the
                    // outlet until the emit is done, so the emitting handler must go before the stage can complete.
                    SetHandler(_stage.Out, onPull: () => { }, onDownstreamFinish: _ => CompleteStage());
                    CompleteStage();
                    break;
                case SweepTimer:
                    _session.OnSweepTick();
                    if (!_session.HasExpiring)
                    {
                        CancelTimer(SweepTimer);
                        _sweeping = false;
                    }

                    break;
                case IdleTimer:
                    _session.OnIdleTick();
                    break;
                case RefillTimer when _waiting is not null:
                    OnRefill();
                    break;
            }
        }

        private void OnFrame()
        {
            var bytes = Grab(_stage.In);
            if (!_rateLimit.TryTake(bytes.Count, Stopwatch.GetTimestamp()))
            {
                _waiting = bytes;
                ScheduleOnce(RefillTimer, _rateLimit.WaitFor(bytes.Count));
                return;
            }

            Handle(bytes);
        }

        private void OnRefill()
        {
            var bytes = _waiting!;
            if (!_rateLimit.TryTake(bytes.Count, Stopwatch.GetTimestamp()))
            {
                ScheduleOnce(RefillTimer, _rateLimit.WaitFor(bytes.Count)); // a timer may fire a little early
                return;
            }

            _waiting = null;
            Handle(bytes);
            if (IsClosed(_stage.In))
            {
                OnConduitCompleted(); // the conduit completed while the frame waited
            }
        }

        private void Handle(ByteString bytes)
        {
            _stage._counters.FrameIn(bytes.Count);
            var frame = FrameCodec.Decode(bytes, _stage._options.MaxFrameBytes);
            if (frame is Lookup)
            {
                DrainCommands(_commands); // a Publish posted before this frame was read is applied before the lookup
            }

            _session.OnFrame(frame);
            SweepIfNeeded();
            if (_closeReason is null && !IsClosed(_stage.In) && !HasBeenPulled(_stage.In))
            {
                Pull(_stage.In);
            }
        }

        private void OnUpstreamFinished()
        {
            if (_waiting is null)
            {
                OnConduitCompleted();
            }
        }

        private void DrainCommands(PortalCommandQueue commands)
        {
            commands.Drain(CommandsPerWake, _session.OnCommand);
            SweepIfNeeded();
        }

        /// <summary>Runs the sweep while something may expire; an idle portal has no timer firing every second.</summary>
        private void SweepIfNeeded()
        {
            if (!_sweeping && _closeReason is null && _session.HasExpiring)
            {
                _sweeping = true;
                ScheduleRepeatedly(SweepTimer, SweepInterval);
            }
        }

        /// <summary>Encodes <paramref name="frame"/> for the conduit, and counts it.</summary>
        private ByteString Encoded(Frame frame)
        {
            var bytes = FrameCodec.Encode(frame);
            _stage._counters.FrameOut(bytes.Count);
            return bytes;
        }

        /// <summary>What reaches the stage actor: deaths of the local actors it watches.</summary>
        private void OnStageMessage((IActorRef Sender, object Message) received)
        {
            if (received.Message is Terminated terminated)
            {
                _session.OnLocalTerminated(terminated.ActorRef);
            }
        }

        /// <summary>
        /// Stream credit and cancels first; then streams and the queue of other frames take turns, a frame each, so a busy
        /// stream cannot starve messages nor messages a stream; stream elements are taken from their pumps only here, when
        /// the conduit can take them.
        /// </summary>
        private void OnPull()
        {
            if (_streamControl is not null && _streamControl.TryDequeue(out var control))
            {
                Push(_stage.Out, Encoded(control));
                return;
            }

            _streamsTurn = !_streamsTurn;
            var frame = _streamsTurn
                ? _session.NextStreamFrame() ?? Dequeued()
                : Dequeued() ?? _session.NextStreamFrame();
            if (frame is not null)
            {
                Push(_stage.Out, Encoded(frame));
            }
        }

        private Frame? Dequeued()
        {
            if (!_outbound.TryDequeue(out var frame))
            {
                return null;
            }

            _commands.Room.Report(_outbound.Count, _outbound.Bytes);
            return frame;
        }

        public void StreamsReady()
        {
            if (_closeReason is null && _outbound.IsEmpty && IsAvailable(_stage.Out) && _session.NextStreamFrame() is { } frame)
            {
                Push(_stage.Out, Encoded(frame));
            }
        }

        public void Send(Frame frame)
        {
            if (_closeReason is not null)
            {
                return;
            }

            if (frame is Demand or StreamCancel && !IsAvailable(_stage.Out))
            {
                (_streamControl ??= new()).Enqueue(frame); // bounded: a few per stream per window consumed
            }
            else if (_outbound.IsEmpty && IsAvailable(_stage.Out))
            {
                Push(_stage.Out, Encoded(frame));
            }
            else if (_outbound.Offer(frame, _stage._nexus.Logs.Portal, _portal.Id, _stage._nexus.Warnings) is { } overflow)
            {
                _session.Fail(overflow);
            }
            else
            {
                _commands.Room.Report(_outbound.Count, _outbound.Bytes);
            }
        }

        public void Close(PortalCloseReason reason, Frame? last)
        {
            if (_closeReason is not null)
            {
                return;
            }

            _closeReason = reason;
            PortalLog.Closed(_stage._nexus.Logs.Portal, _portal, reason);

            if (!IsClosed(_stage.In))
            {
                Cancel(_stage.In);
            }

            _streamControl?.Clear();
            _waiting = null;
            CancelTimer(RefillTimer);
            var unsent = _outbound.DropAll() + _commands.Close(reason); // what is told from now on fails at once too
            if (unsent > 0)
            {
                PortalLog.UnsentOnClose(_stage._nexus.Logs.Portal, _portal.Id, unsent, reason.Kind, reason.Message);
            }

            if (last is ErrorFrame error && _stage._lastWords is { Framed: true } words)
            {
                words.Counters = _stage._counters; // the framing counts the messages it drops for the Error
                words.SayAhead(error); // the framing writes it ahead of the frames it holds, within its own closing grace
                CompleteStage();
            }
            else if (last is not null && !IsClosed(_stage.Out))
            {
                _stage._lastWords?.Say(last);
                ScheduleOnce(ClosingTimer, ClosingGrace); // a peer that does not read cannot hold us open
                Emit(_stage.Out, Encoded(last), CompleteStage);
            }
            else
            {
                CompleteStage();
            }
        }

        public void SetIdleTick(TimeSpan interval) => ScheduleRepeatedly(IdleTimer, interval);

        /// <remarks>The stage actor is made on the first watch: a portal that publishes nothing to its peer has none.</remarks>
        public void Watch(IActorRef actor) => (_self ??= GetStageActor(OnStageMessage)).Watch(actor);

        public void Unwatch(IActorRef actor) => _self?.Unwatch(actor);

        public bool TryTakeProxy() => _stage._nexus.Proxies.TryTake();

        public void ReturnProxies(int count) => _stage._nexus.Proxies.Return(count);

        public ProxyRef CreateProxy(WireId id, Type? messageType, bool oneShot, long expiresAtTick)
        {
            // With Akka.Remote a proxy's path must resolve, so that another cluster node reaches it (WormholeSerializer);
            // a local-only actor system has no other node, and spares every ask and reference the registration.
            var resolvable = _provider!.DefaultAddress.HasGlobalScope;
            var proxy = new ProxyRef(_provider.TempPath(), _provider, _commands, id, messageType, oneShot) { ExpiresAtTick = expiresAtTick, ResolvableByPath = resolvable };
            if (resolvable)
            {
                _provider.RegisterTempActor(proxy, proxy.Path);
            }

            return proxy;
        }

        private void OnConduitCompleted() =>
            _session.Close(new PortalCloseReason(PortalCloseKind.ConduitCompleted, "the conduit completed (the peer went away without a Goodbye)"), last: null);

        private void OnConduitFailed(Exception error)
        {
            if (error is FrameTooLargeException { Inbound: true } tooLarge)
            {
                _session.Fail(ProtocolFault.LimitExceeded(PortalErrorCodes.MaxFrameBytes, $"MaxFrameBytes: {tooLarge.Message}"), error);
            }
            else
            {
                _session.Close(new PortalCloseReason(PortalCloseKind.ConduitFailed, $"the conduit failed: {error.Message}", error), last: null);
            }
        }

        private void OnDownstreamFinished(Exception? cause)
        {
            if (cause is null or SubscriptionWithCancelException.NonFailureCancellation)
            {
                _session.Close(new PortalCloseReason(PortalCloseKind.ConduitCompleted, "the conduit stopped reading"), last: null);
            }
            else
            {
                OnConduitFailed(cause);
            }
        }
    }
}
