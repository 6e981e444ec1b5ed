using System.Buffers.Binary;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;
using FramingException = Akka.Streams.Dsl.Framing.FramingException;

namespace Wormhole.Streams;

/// <summary>
/// Both halves of <see cref="LengthPrefixFraming"/> in one stage. Top: frames in, writes out; the frames that arrive while
/// the transport is busy are joined into one write. Bottom: bytes in (any chunking), frames out.
/// </summary>
/// <remarks>
/// <para>
/// Top — emits when: the transport pulls and frames are waiting; all of them go as one contiguous buffer, each prefixed by
/// its length, at most <see cref="LengthPrefixFraming.MaxWriteBytes"/> per write (one longer frame alone). Backpressures
/// when: <see cref="LengthPrefixFraming.MaxWriteBytes"/> are waiting. Completes when: its upstream has completed and the
/// transport pulled again after the last write (it took it), so a transport that closes on completion closes behind it;
/// an <c>Error</c> left in <see cref="LastWords"/> then replaces every frame still waiting. Fails when: its upstream
/// fails, a frame is longer than the limit (a <see cref="FramingException"/> naming both sizes; nothing of it is sent), or
/// the transport takes no write for <see cref="LengthPrefixFraming.ClosingGrace"/> after upstream completed (an
/// <see cref="IOException"/>: the transport drops the connection).
/// </para>
/// <para>
/// Bottom — emits when: a whole frame has arrived and downstream pulls. Backpressures when: downstream does not pull (the
/// transport is read only for a frame that is wanted). Completes when: its upstream completes after whole frames. Fails
/// when: a length prefix announces more than the limit (a <see cref="FrameTooLargeException"/>, before the frame is read;
/// upstream is cancelled without a failure, so the transport keeps writing the portal's <c>Error</c>), its
/// upstream completes in the middle of a frame (an <see cref="IOException"/>: a peer that went away, not a limit), or its
/// upstream fails.
/// </para>
/// <para>The two directions complete, fail and cancel independently, as two flows would.</para>
/// </remarks>
internal sealed class LengthPrefixFramingStage : GraphStage<BidiShape<ByteString, ByteString, ByteString, ByteString>>
{
    private readonly int _maxFrameBytes;
    private readonly LastWords? _lastWords;

    /// <param name="maxFrameBytes">The longest frame sent or accepted.</param>
    /// <param name="lastWords">The portal's last words: an <c>Error</c> there goes ahead of the frames waiting here.</param>
    public LengthPrefixFramingStage(int maxFrameBytes, LastWords? lastWords = null)
    {
        _maxFrameBytes = maxFrameBytes;
        _lastWords = lastWords;
        lastWords?.MarkFramed();
        Shape = new BidiShape<ByteString, ByteString, ByteString, ByteString>(FramesToSend, Writes, Received, Frames);
    }

    public Inlet<ByteString> FramesToSend { get; } = new("LengthPrefixFraming.framesToSend");

    public Outlet<ByteString> Writes { get; } = new("LengthPrefixFraming.writes");

    public Inlet<ByteString> Received { get; } = new("LengthPrefixFraming.received");

    public Outlet<ByteString> Frames { get; } = new("LengthPrefixFraming.frames");

    public override BidiShape<ByteString, ByteString, ByteString, ByteString> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : TimerGraphStageLogic
    {
        private const string ClosingTimer = "closing";

        private readonly LengthPrefixFramingStage _stage;
        private readonly List<ByteString> _waiting = [];
        private long _waitingBytes;
        private ByteString _unframed = ByteString.Empty; // the rest of the last chunk, from a frame's start (after the gathered frame, if any)
        private byte[]? _gathering; // a frame that spans chunks, gathered
        private int _gathered;

        public Logic(LengthPrefixFramingStage stage)
            : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage.FramesToSend, onPush: OnFrameToSend, onUpstreamFinish: OnFramesToSendFinished, onUpstreamFailure: e => Fail(stage.Writes, e));
            SetHandler(stage.Writes, onPull: OnWritesPulled, onDownstreamFinish: cause => Cancel(stage.FramesToSend, cause));
            SetHandler(stage.Received, onPush: OnReceived, onUpstreamFinish: OnReceivedFinished, onUpstreamFailure: e => Fail(stage.Frames, e));
            SetHandler(stage.Frames, onPull: OnFramesPulled, onDownstreamFinish: cause => Cancel(stage.Received, cause));
        }

        public override void PreStart() => Pull(_stage.FramesToSend);

        public override void PostStop() => _stage._lastWords?.MarkFramingStopped();

        protected override void OnTimer(object timerKey)
        {
            if (!IsClosed(_stage.Writes))
            {
                Fail(_stage.Writes, new IOException($"the transport took no write for {LengthPrefixFraming.ClosingGrace.TotalSeconds:0.#} s after the portal's last frame (the peer does not read): the connection is dropped"));
            }
        }

        private void OnFrameToSend()
        {
            var frame = Grab(_stage.FramesToSend);
            if (frame.Count > _stage._maxFrameBytes)
            {
                var error = new FrameTooLargeException(inbound: false, $"a frame of {frame.Count:N0} bytes exceeds the {_stage._maxFrameBytes:N0}-byte frame limit; not sent");
                Fail(_stage.Writes, error);
                Cancel(_stage.FramesToSend, error);
                return;
            }

            _waiting.Add(frame);
            _waitingBytes += LengthPrefixFraming.PrefixBytes + frame.Count;
            if (IsAvailable(_stage.Writes))
            {
                Write();
            }

            PullFramesWhileRoom();
        }

        private void OnWritesPulled()
        {
            if (_waiting.Count > 0)
            {
                Write();
            }
            else if (IsClosed(_stage.FramesToSend))
            {
                Complete(_stage.Writes); // the transport took the last write: now it may close
                return;
            }

            PullFramesWhileRoom();
        }

        /// <summary>
        /// The portal is done. An <c>Error</c> it left in <see cref="LastWords"/> replaces every frame still waiting here
        /// (what the transport took already is on its way). Writes complete once the transport has taken the last one, so
        /// it closes behind it; a transport that takes nothing for <see cref="LengthPrefixFraming.ClosingGrace"/> is failed.
        /// </summary>
        private void OnFramesToSendFinished()
        {
            if (_stage._lastWords?.TakeAhead() is { } error)
            {
                _stage._lastWords.CountDropped(_waiting);
                _waiting.Clear();
                _waiting.Add(error);
                _waitingBytes = LengthPrefixFraming.PrefixBytes + error.Count;
            }

            if (IsAvailable(_stage.Writes))
            {
                OnWritesPulled();
            }

            if (!IsClosed(_stage.Writes))
            {
                ScheduleOnce(ClosingTimer, LengthPrefixFraming.ClosingGrace);
            }
        }

        private void PullFramesWhileRoom()
        {
            if (_waitingBytes < LengthPrefixFraming.MaxWriteBytes && !HasBeenPulled(_stage.FramesToSend) && !IsClosed(_stage.FramesToSend))
            {
                Pull(_stage.FramesToSend);
            }
        }

        /// <summary>
        /// Joins the waiting frames, each after its length, into one buffer of at most <see cref="LengthPrefixFraming.MaxWriteBytes"/>
        /// (one longer frame goes alone): one copy of each frame. Frames that do not fit wait for the next write.
        /// </summary>
        private void Write()
        {
            var count = 0;
            var bytes = 0L;
            while (count < _waiting.Count
                   && (count == 0 || bytes + LengthPrefixFraming.PrefixBytes + _waiting[count].Count <= LengthPrefixFraming.MaxWriteBytes))
            {
                bytes += LengthPrefixFraming.PrefixBytes + _waiting[count].Count;
                count++;
            }

            var joined = new byte[bytes];
            var at = 0;
            for (var i = 0; i < count; i++)
            {
                var frame = _waiting[i];
                BinaryPrimitives.WriteInt32BigEndian(joined.AsSpan(at), frame.Count);
                frame.CopyTo(joined, at + LengthPrefixFraming.PrefixBytes, frame.Count);
                at += LengthPrefixFraming.PrefixBytes + frame.Count;
            }

            _waiting.RemoveRange(0, count);
            _waitingBytes -= bytes;
            Push(_stage.Writes, ByteString.FromBytes(joined));
        }

        private void OnReceived()
        {
            var chunk = Grab(_stage.Received);
            _unframed = _gathered == 0 ? chunk : Gather(chunk);
            if (IsAvailable(_stage.Frames))
            {
                OnFramesPulled();
            }
        }

        private void OnFramesPulled()
        {
            var gathering = _gathered > 0;
            var pending = gathering ? _gathered : _unframed.Count;
            if (pending < LengthPrefixFraming.PrefixBytes)
            {
                ReadMore();
                return;
            }

            var length = gathering ? GatheredLength() : (uint)(_unframed[0] << 24 | _unframed[1] << 16 | _unframed[2] << 8 | _unframed[3]);
            if (length > _stage._maxFrameBytes)
            {
                // Upstream is cancelled without a failure: a transport that is failed may reset the connection,
                // and the portal's Error for this frame still has to get out.
                Fail(_stage.Frames, new FrameTooLargeException(inbound: true, $"a length prefix announced a frame of {length:N0} bytes; the limit is {_stage._maxFrameBytes:N0}"));
                Cancel(_stage.Received);
                return;
            }

            var whole = LengthPrefixFraming.PrefixBytes + (int)length;
            if (pending < whole)
            {
                ReadMore();
                return;
            }

            ByteString frame;
            if (gathering)
            {
                // The buffer was made for this frame alone: handed over, not copied.
                frame = ByteString.FromBytes(_gathering!, LengthPrefixFraming.PrefixBytes, (int)length);
                _gathering = null;
                _gathered = 0;
            }
            else
            {
                frame = _unframed.Slice(LengthPrefixFraming.PrefixBytes, (int)length);
                _unframed = _unframed.Count == whole ? ByteString.Empty : _unframed.Slice(whole);
            }

            Push(_stage.Frames, frame);
            if (IsClosed(_stage.Received) && _unframed.IsEmpty)
            {
                Complete(_stage.Frames);
            }
        }

        /// <summary>
        /// Copies what the frame being gathered still lacks from <paramref name="chunk"/> into one buffer (made the frame's
        /// size once its length is known), and returns the rest of the chunk: a peer that sends a frame a byte at a time costs
        /// time linear in its size (joining the chunks as a rope would cost the square), and a frame that straddles two reads
        /// costs one copy of itself, not of the reads.
        /// </summary>
        private ByteString Gather(ByteString chunk)
        {
            while (!chunk.IsEmpty)
            {
                var wanted = _gathered < LengthPrefixFraming.PrefixBytes
                    ? LengthPrefixFraming.PrefixBytes - _gathered
                    : GatheredLength() is var length && length <= _stage._maxFrameBytes ? LengthPrefixFraming.PrefixBytes + (int)length - _gathered : 0;
                if (wanted == 0)
                {
                    break; // the frame is whole, or over the limit (refused when pulled)
                }

                var take = Math.Min(wanted, chunk.Count);
                var room = _gathered < LengthPrefixFraming.PrefixBytes ? LengthPrefixFraming.PrefixBytes : _gathered + wanted;
                if (_gathering is null || _gathering.Length < room)
                {
                    var larger = new byte[room];
                    _gathering?.AsSpan(0, _gathered).CopyTo(larger);
                    _gathering = larger;
                }

                chunk.Slice(0, take).CopyTo(_gathering, _gathered, take);
                _gathered += take;
                chunk = take == chunk.Count ? ByteString.Empty : chunk.Slice(take);
            }

            return chunk;
        }

        private uint GatheredLength() => BinaryPrimitives.ReadUInt32BigEndian(_gathering);

        private void ReadMore()
        {
            if (!_unframed.IsEmpty)
            {
                _unframed = Gather(_unframed); // the start of a frame whose rest is still to come: all of it is wanted
            }

            if (IsClosed(_stage.Received))
            {
                OnReceivedFinished();
            }
            else if (!HasBeenPulled(_stage.Received))
            {
                Pull(_stage.Received);
            }
        }

        private void OnReceivedFinished()
        {
            if (_unframed.IsEmpty && _gathered == 0)
            {
                Complete(_stage.Frames);
            }
            else if (IsAvailable(_stage.Frames))
            {
                // Whole frames still waiting are pulled for and pushed first; only a part of one is left here.
                Fail(_stage.Frames, new IOException($"the connection ended in the middle of a frame ({_gathered + _unframed.Count:N0} bytes of it had arrived)"));
            }
        }
    }
}
