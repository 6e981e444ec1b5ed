using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using Wormhole.Streams.Transmaterialization;
using Wormhole.Streams.Protocol;

namespace Wormhole.Streams.Portals;

/// <summary>
/// The portal as a stream stage: inbound frames are demultiplexed to local actors, messages told to
/// proxies arrive through its command queue and leave as outbound frames.
/// </summary>
/// <remarks>
/// Emits when: a frame is ready (handshake, a proxy's message, a reply, a lifetime notice).
/// Backpressures when: downstream does not pull; frames then queue up to <see cref="NexusOptions.MaxOutboundFrames"/>,
/// past which <see cref="NexusOptions.OutboundOverflow"/> applies. Upstream is pulled one frame at a time (the inbound rate
/// limit sits in front of the stage, see <see cref="InboundRateLimit"/>). Completes when: the portal closes for any reason
/// (<see cref="Portal.Completion"/> says which). Never fails the stream for a peer's fault.
/// </remarks>
internal sealed partial class PortalStage : GraphStageWithMaterializedValue<FlowShape<Frame, Frame>, Portal>
{
    private readonly Nexus _nexus;
    private readonly NexusOptions _options;
    private readonly IReadOnlyList<(string Name, IActorRef Actor, Type MessageType)> _publications;
    private readonly PortalCounters _counters;

    /// <param name="nexus">The nexus that owns the portal.</param>
    /// <param name="options">This portal's limits (validated).</param>
    /// <param name="publications">Actors published on this portal only, visible from its first frame.</param>
    /// <param name="counters">The portal's counters, shared with the codec.</param>
    public PortalStage(Nexus nexus, NexusOptions options, IReadOnlyList<(string Name, IActorRef Actor, Type MessageType)> publications, PortalCounters counters)
    {
        _nexus = nexus;
        _options = options;
        _publications = publications;
        _counters = counters;
        Shape = new FlowShape<Frame, Frame>(In, Out);
    }

    public Inlet<Frame> In { get; } = new("Portal.in");

    public Outlet<Frame> Out { get; } = new("Portal.out");

    public override FlowShape<Frame, Frame> Shape { get; }

    public override ILogicAndMaterializedValue<Portal> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var conduitHalf = WireId.NewRandom();
        var portal = new Portal(conduitHalf.ToString().TrimEnd('…'), _counters, _nexus.Payloads);
        return new LogicAndMaterializedValue<Portal>(new Logic(this, portal, conduitHalf), portal);
    }

    private sealed partial class Logic : TimerGraphStageLogic
    {
        private const string HandshakeTimer = "handshake";
        private const string ClosingTimer = "closing";
        private const string SweepTimer = "sweep";
        private const string IdleTimer = "idle";

        private readonly PortalStage _stage;
        private readonly Portal _portal;
        private readonly WireId _conduitHalf;
        private readonly NexusOptions _options;
        private readonly PayloadModel _payloads;
        private readonly Queue<Frame> _outbound = new();
        private long _outboundBytes;
        private StageActor? _self;
        private PortalCommandQueue? _commands;
        private ExtendedActorSystem? _system;
        private bool _open;
        private PortalCloseReason? _closeReason;
        private long _lastReceived = Environment.TickCount64;
        private long _lastSent = Environment.TickCount64;

        public Logic(PortalStage stage, Portal portal, WireId conduitHalf)
            : base(stage.Shape)
        {
            _stage = stage;
            _portal = portal;
            _conduitHalf = conduitHalf;
            _options = stage._options;
            _payloads = stage._nexus.Payloads;
            foreach (var (name, actor, messageType) in stage._publications)
            {
                _names[name] = (actor, messageType);
            }

            SetHandler(stage.In, onPush: OnFrame, onUpstreamFinish: OnConduitCompleted, onUpstreamFailure: OnConduitFailed);
            SetHandler(stage.Out, onPull: OnPull, onDownstreamFinish: OnDownstreamFinished);
        }

        private PortalCounters Counters => _stage._counters;

        public override void PreStart()
        {
            _system = (ExtendedActorSystem)((ActorMaterializer)Materializer).System;
            _self = GetStageActor(OnStageMessage);
            _commands = new PortalCommandQueue(GetAsyncCallback<PortalCommandQueue>(DrainCommands));
            _portal.Attach(_commands);
            Send(new Hello
            {
                ProtocolVersion = Hello.CurrentVersion,
                SideId = _stage._nexus.SideId,
                ConduitHalf = _conduitHalf,
                MaxFrameBytes = (uint)_options.MaxFrameBytes,
            });
            ScheduleOnce(HandshakeTimer, _options.HandshakeTimeout);
            ScheduleRepeatedly(SweepTimer, TimeSpan.FromSeconds(1));
            ScheduleRepeatedly(IdleTimer, _options.IdleTimeout / 6); // a keep-alive goes out at most half the timeout after the last frame
            Pull(_stage.In);
        }

        public override void PostStop()
        {
            var reason = _closeReason ?? new PortalCloseReason(PortalCloseKind.ClosedLocally, "the portal's stream stopped");
            ReleaseEverything(reason);
            _portal.MarkClosed(reason);
            _stage._nexus.OnPortalClosed(_portal, reason);
        }

        protected override void OnTimer(object timerKey)
        {
            switch (timerKey)
            {
                case HandshakeTimer when !_open:
                    Close(PortalCloseKind.HandshakeFailed, $"no Hello from the peer within the {_options.HandshakeTimeout.TotalSeconds:0.###} s handshake timeout", "handshake-timeout");
                    break;
                case ClosingTimer:
                    // The peer did not take the last frame: drop it. While an Emit is pending, Akka defers completing the
                    // outlet until the emit is done, so the emitting handler must go before the stage can complete.
                    SetHandler(_stage.Out, onPull: () => { }, onDownstreamFinish: _ => CompleteStage());
                    CompleteStage();
                    break;
                case SweepTimer:
                    SweepExpired();
                    break;
                case IdleTimer:
                    CheckIdle();
                    break;
            }
        }

        private void OnPull()
        {
            if (_outbound.TryDequeue(out var frame))
            {
                _outboundBytes -= QueuedBytes(frame);
                PushOut(frame);
            }
        }

        private void PushOut(Frame frame)
        {
            _lastSent = Environment.TickCount64;
            Push(_stage.Out, frame);
        }

        /// <summary>What a queued frame holds on to, roughly: its payload and a fixed overhead.</summary>
        private static long QueuedBytes(Frame frame) => 64 + (frame is Deliver deliver ? deliver.Payload?.Length ?? 0 : 0);

        /// <summary>
        /// Queues a frame for the peer. Past <see cref="NexusOptions.MaxOutboundFrames"/> or <see cref="NexusOptions.MaxOutboundBytes"/>
        /// the policy applies: fail the portal, or drop the message (control frames still queue, up to twice the bounds, so
        /// lifetimes stay right).
        /// </summary>
        private void Send(Frame frame)
        {
            if (_closeReason is not null)
            {
                return;
            }

            if (_outbound.Count == 0 && IsAvailable(_stage.Out))
            {
                PushOut(frame);
            }
            else if (_outbound.Count < _options.MaxOutboundFrames && _outboundBytes < _options.MaxOutboundBytes)
            {
                Enqueue(frame);
            }
            else if (_options.OutboundOverflow == OutboundOverflowPolicy.DropNewest && frame is Deliver deliver)
            {
                Counters.Drop();
                Log.Warning(
                    "Portal {0}: dropped a message for remote id {1}: {2:N0} frames ({3:N0} bytes) are queued for a peer that does not read (MaxOutboundFrames / MaxOutboundBytes; {4:N0} dropped so far)",
                    _portal.Id, deliver.Target, _outbound.Count, _outboundBytes, Counters.Dropped);
            }
            else if (_options.OutboundOverflow == OutboundOverflowPolicy.DropNewest && _outbound.Count < 2 * _options.MaxOutboundFrames && _outboundBytes < 2 * _options.MaxOutboundBytes)
            {
                Enqueue(frame);
            }
            else if (_outbound.Count >= _options.MaxOutboundFrames)
            {
                Close(PortalCloseKind.LimitExceeded, $"MaxOutboundFrames: the outbound buffer of {_options.MaxOutboundFrames:N0} frames is full: the peer does not read", "MaxOutboundFrames");
            }
            else
            {
                Close(PortalCloseKind.LimitExceeded, $"MaxOutboundBytes: {_outboundBytes:N0} bytes are queued for a peer that does not read (limit {_options.MaxOutboundBytes:N0})", "MaxOutboundBytes");
            }
        }

        private void Enqueue(Frame frame)
        {
            _outbound.Enqueue(frame);
            _outboundBytes += QueuedBytes(frame);
        }

        /// <summary>Closes a portal whose peer has been silent past the idle timeout; sends a keep-alive when this side has been.</summary>
        private void CheckIdle()
        {
            var now = Environment.TickCount64;
            if (_open && now - _lastReceived > _options.IdleTimeout.TotalMilliseconds)
            {
                Close(PortalCloseKind.LimitExceeded, $"IdleTimeout: no frame from the peer for {_options.IdleTimeout.TotalSeconds:0.###} s", "IdleTimeout");
            }
            else if (_open && now - _lastSent >= _options.IdleTimeout.TotalMilliseconds / 3 && _outbound.Count == 0)
            {
                Send(new KeepAlive());
            }
        }

        private void OnConduitCompleted() =>
            Close(new PortalCloseReason(PortalCloseKind.ConduitCompleted, "the conduit completed (the peer went away without a Goodbye)"), last: null);

        private void OnConduitFailed(Exception error) =>
            Close(
                error is Akka.Streams.Dsl.Framing.FramingException
                    ? new PortalCloseReason(PortalCloseKind.LimitExceeded, $"MaxFrameBytes: the frame size limit is {_options.MaxFrameBytes:N0} bytes: {error.Message}", error)
                    : new PortalCloseReason(PortalCloseKind.ConduitFailed, $"the conduit failed: {error.Message}", error),
                last: null);

        private void OnDownstreamFinished(Exception? cause)
        {
            if (cause is null or SubscriptionWithCancelException.NonFailureCancellation)
            {
                Close(new PortalCloseReason(PortalCloseKind.ConduitCompleted, "the conduit stopped reading"), last: null);
            }
            else
            {
                OnConduitFailed(cause);
            }
        }

        /// <summary>Closes with an <c>Error</c> frame to the peer that carries <paramref name="code"/> and the message.</summary>
        private void Close(PortalCloseKind kind, string message, string code) =>
            Close(new PortalCloseReason(kind, message), new ErrorFrame { Code = code, Message = message });

        private void Close(PortalCloseReason reason, Frame? last)
        {
            if (_closeReason is not null)
            {
                return;
            }

            _closeReason = reason;
            if (reason.Kind is PortalCloseKind.ClosedLocally or PortalCloseKind.ClosedByPeer or PortalCloseKind.ConduitCompleted)
            {
                Log.Info("Portal {0} closed: {1}", _portal.Id, reason);
            }
            else
            {
                Log.Warning("Portal {0} closed: {1}", _portal.Id, reason);
            }

            if (!IsClosed(_stage.In))
            {
                Cancel(_stage.In);
            }

            _outbound.Clear();
            _outboundBytes = 0;
            if (last is not null && !IsClosed(_stage.Out))
            {
                ScheduleOnce(ClosingTimer, TimeSpan.FromSeconds(1)); // a peer that does not read cannot hold us open
                Emit(_stage.Out, last, CompleteStage);
            }
            else
            {
                CompleteStage();
            }
        }
    }
}
