using System.Diagnostics;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Wormhole.Streams.Portals;

/// <summary>
/// The inbound rate limit of a portal: two token buckets, frames and bytes per second, each holding one second's worth,
/// in front of the decoder.
/// </summary>
/// <remarks>
/// <para>
/// Emits when: a frame has arrived, downstream pulls and both buckets have tokens for it. Backpressures when: a bucket is
/// empty: the frame waits here (only that one) until the bucket has refilled enough, and nothing more is pulled, so
/// TCP's window or the WebSocket pushes back on the peer. Completes when: upstream completes and the waiting frame, if
/// any, went out. Fails with its upstream.
/// </para>
/// <para>
/// A frame costs one frame token and its length in byte tokens. A frame may cost more byte tokens than the bucket holds
/// (a large frame under a small byte rate): it goes once the bucket is full, and the debt delays what follows.
/// Replaces a pair of Akka <c>Throttle</c> stages, which read <c>DateTime.Now</c> (with its time-zone conversion)
/// twice per frame and cost a stage boundary each.
/// </para>
/// </remarks>
internal sealed class InboundRateLimit : GraphStage<FlowShape<ByteString, ByteString>>
{
    private readonly int _framesPerSecond;
    private readonly int _bytesPerSecond;

    /// <param name="options">The portal's limits: <see cref="NexusOptions.MaxInboundFramesPerSecond"/> and <see cref="NexusOptions.MaxInboundBytesPerSecond"/>.</param>
    public InboundRateLimit(NexusOptions options)
    {
        _framesPerSecond = options.MaxInboundFramesPerSecond;
        _bytesPerSecond = options.MaxInboundBytesPerSecond;
        Shape = new FlowShape<ByteString, ByteString>(In, Out);
    }

    public Inlet<ByteString> In { get; } = new("InboundRateLimit.in");

    public Outlet<ByteString> Out { get; } = new("InboundRateLimit.out");

    public override FlowShape<ByteString, ByteString> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : TimerGraphStageLogic
    {
        private const string RefillTimer = "refill";
        private readonly InboundRateLimit _stage;
        private double _frameTokens;
        private double _byteTokens;
        private long _refilledAt = Stopwatch.GetTimestamp();
        private ByteString? _waiting;

        public Logic(InboundRateLimit stage)
            : base(stage.Shape)
        {
            _stage = stage;
            _frameTokens = stage._framesPerSecond;
            _byteTokens = stage._bytesPerSecond;
            SetHandler(stage.In, onPush: OnPush, onUpstreamFinish: OnUpstreamFinish);
            SetHandler(stage.Out, onPull: () => Pull(stage.In));
        }

        private void OnPush()
        {
            var frame = Grab(_stage.In);
            if (HasTokensFor(frame))
            {
                Take(frame);
                Push(_stage.Out, frame);
                return;
            }

            _waiting = frame;
            ScheduleOnce(RefillTimer, WaitFor(frame));
        }

        private void OnUpstreamFinish()
        {
            if (_waiting is null)
            {
                CompleteStage();
            }
        }

        protected override void OnTimer(object timerKey)
        {
            var frame = _waiting!;
            if (!HasTokensFor(frame))
            {
                ScheduleOnce(RefillTimer, WaitFor(frame)); // a timer may fire a little early
                return;
            }

            _waiting = null;
            Take(frame);
            Push(_stage.Out, frame); // downstream pulled: the frame was grabbed on that pull
            if (IsClosed(_stage.In))
            {
                CompleteStage();
            }
        }

        private bool HasTokensFor(ByteString frame)
        {
            Refill();
            return _frameTokens >= 1 && _byteTokens >= BytesNeeded(frame);
        }

        /// <summary>The byte tokens a frame waits for: its length, or a full bucket for a frame longer than the bucket holds.</summary>
        private int BytesNeeded(ByteString frame) => Math.Min(frame.Count, _stage._bytesPerSecond);

        private void Take(ByteString frame)
        {
            _frameTokens -= 1;
            _byteTokens -= frame.Count;
        }

        private void Refill()
        {
            var now = Stopwatch.GetTimestamp();
            var seconds = (now - _refilledAt) / (double)Stopwatch.Frequency;
            _refilledAt = now;
            _frameTokens = Math.Min(_stage._framesPerSecond, _frameTokens + (seconds * _stage._framesPerSecond));
            _byteTokens = Math.Min(_stage._bytesPerSecond, _byteTokens + (seconds * _stage._bytesPerSecond));
        }

        /// <summary>How long until both buckets hold enough for <paramref name="frame"/>, at least a millisecond.</summary>
        private TimeSpan WaitFor(ByteString frame)
        {
            var frames = Math.Max(0, 1 - _frameTokens) / _stage._framesPerSecond;
            var bytes = Math.Max(0, BytesNeeded(frame) - _byteTokens) / _stage._bytesPerSecond;
            return TimeSpan.FromSeconds(Math.Max(0.001, Math.Max(frames, bytes)));
        }
    }
}
