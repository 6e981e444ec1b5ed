using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using Wormhole.Streams.Transmaterialization;
using Wormhole.Streams.Protocol;

namespace Wormhole.Streams.Portals;

/// <summary>
/// The portal as a stream stage: inbound frames are demultiplexed to local actors, messages told to
/// proxies arrive at its stage actor and leave as outbound frames.
/// </summary>
/// <remarks>
/// Emits when: a frame is ready (handshake, a proxy's message, a reply, a lifetime notice).
/// Backpressures when: downstream does not pull; frames then queue up to <see cref="NexusOptions.MaxOutboundFrames"/>,
/// past which the portal fails with a limit reason. Completes when: the portal closes for any reason
/// (<see cref="Portal.Completion"/> says which). Never fails the stream for a peer's fault.
/// </remarks>
internal sealed partial class PortalStage : GraphStageWithMaterializedValue<FlowShape<Frame, Frame>, Portal>
{
    private readonly Nexus _nexus;
    private readonly PortalCounters _counters;

    public PortalStage(Nexus nexus, PortalCounters counters)
    {
        _nexus = nexus;
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

        private readonly PortalStage _stage;
        private readonly Portal _portal;
        private readonly WireId _conduitHalf;
        private readonly NexusOptions _options;
        private readonly PayloadModel _payloads;
        private readonly Queue<Frame> _outbound = new();
        private StageActor? _self;
        private ExtendedActorSystem? _system;
        private bool _open;
        private PortalCloseReason? _closeReason;

        public Logic(PortalStage stage, Portal portal, WireId conduitHalf)
            : base(stage.Shape)
        {
            _stage = stage;
            _portal = portal;
            _conduitHalf = conduitHalf;
            _options = stage._nexus.Options;
            _payloads = stage._nexus.Payloads;
            SetHandler(stage.In, onPush: OnFrame, onUpstreamFinish: OnConduitCompleted, onUpstreamFailure: OnConduitFailed);
            SetHandler(stage.Out, onPull: OnPull, onDownstreamFinish: OnDownstreamFinished);
        }

        private PortalCounters Counters => _stage._counters;

        private IActorRef Self => _self!.Ref;

        public override void PreStart()
        {
            _system = (ExtendedActorSystem)((ActorMaterializer)Materializer).System;
            _self = GetStageActor(OnStageMessage);
            _portal.Attach(_self.Ref);
            Send(new Hello
            {
                ProtocolVersion = Hello.CurrentVersion,
                SideId = _stage._nexus.SideId,
                ConduitHalf = _conduitHalf,
                MaxFrameBytes = (uint)_options.MaxFrameBytes,
            });
            ScheduleOnce(HandshakeTimer, _options.HandshakeTimeout);
            ScheduleRepeatedly(SweepTimer, TimeSpan.FromSeconds(1));
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
                    CompleteStage();
                    break;
                case SweepTimer:
                    SweepExpired();
                    break;
            }
        }

        private void OnPull()
        {
            if (_outbound.TryDequeue(out var frame))
            {
                Push(_stage.Out, frame);
            }
        }

        /// <summary>Queues a frame for the peer; fails the portal when the peer has not read for too long.</summary>
        private void Send(Frame frame)
        {
            if (_closeReason is not null)
            {
                return;
            }

            if (_outbound.Count == 0 && IsAvailable(_stage.Out))
            {
                Push(_stage.Out, frame);
            }
            else if (_outbound.Count >= _options.MaxOutboundFrames)
            {
                Close(PortalCloseKind.LimitExceeded, $"outbound buffer of {_options.MaxOutboundFrames:N0} frames is full: the peer does not read", "outbound-limit");
            }
            else
            {
                _outbound.Enqueue(frame);
            }
        }

        private void OnConduitCompleted() =>
            Close(new PortalCloseReason(PortalCloseKind.ConduitCompleted, "the conduit completed (the peer went away without a Goodbye)"), last: null);

        private void OnConduitFailed(Exception error) =>
            Close(
                error is Akka.Streams.Dsl.Framing.FramingException
                    ? new PortalCloseReason(PortalCloseKind.LimitExceeded, $"frame size limit of {_options.MaxFrameBytes:N0} bytes: {error.Message}", error)
                    : new PortalCloseReason(PortalCloseKind.ConduitFailed, $"the conduit failed: {error.Message}", error),
                last: null);

        private void OnDownstreamFinished(Exception? cause) =>
            Close(new PortalCloseReason(PortalCloseKind.ConduitCompleted, "the conduit stopped reading"), last: null);

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
