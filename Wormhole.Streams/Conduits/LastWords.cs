using Akka.IO;
using Wormhole.Streams.Protocol;

namespace Wormhole.Streams;

/// <summary>
/// What one portal says last — its <c>Error</c> or <c>Goodbye</c> — shared with the stages of its conduit: the framing
/// writes an <c>Error</c> ahead of every frame it has not yet handed to the transport, and a WebSocket closes with a
/// status and reason naming it. Also tells when the framing stopped (its last write was taken by the transport).
/// </summary>
/// <remarks>
/// One per run of a conduit. The portal stage writes it before it completes; the stages below read it when that
/// completion reaches them, so the stream's own signals order the write before the reads.
/// </remarks>
internal sealed class LastWords
{
    private readonly TaskCompletionSource _framingStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Frame? _said;
    private volatile bool _framed;
    private ByteString? _ahead;

    /// <summary>The portal's last frame, once it closed with one; null before, or when it closed without (the conduit went first).</summary>
    public Frame? Said => _said;

    /// <summary>True once a framing stage shares these words: only then may an <c>Error</c> go ahead through them (<see cref="SayAhead"/>).</summary>
    public bool Framed => _framed;

    /// <summary>Completes when the framing stage has stopped: its last write was taken by the transport, or it gave up.</summary>
    public Task FramingStopped => _framingStopped.Task;

    /// <summary>The portal closes with <paramref name="last"/>, which it sends in order, behind what is waiting.</summary>
    public void Say(Frame last) => _said = last;

    /// <summary>The portal closes with <paramref name="error"/>, which goes ahead of every frame not yet written.</summary>
    public void SayAhead(ErrorFrame error)
    {
        var encoded = FrameCodec.Encode(error);
        Counters?.FrameOut(encoded.Count); // it goes around the portal stage, which counts every other frame it encodes
        Volatile.Write(ref _ahead, encoded);
        _said = error;
    }

    /// <summary>The encoded <c>Error</c> to write ahead of everything waiting, once; null when there is none.</summary>
    public ByteString? TakeAhead() => Interlocked.Exchange(ref _ahead, null);

    /// <summary>The portal's counters, where the messages an <c>Error</c> goes ahead of are counted as dropped.</summary>
    public PortalCounters? Counters { get; set; }

    /// <summary>Counts the messages (<c>Deliver</c> frames, whose first byte is the tag <c>22</c>) among frames dropped for the <c>Error</c>.</summary>
    public void CountDropped(IEnumerable<ByteString> frames)
    {
        foreach (var frame in frames)
        {
            if (frame.Count > 0 && frame[0] == 0x22)
            {
                Counters?.Drop("portal-closed");
            }
        }
    }

    /// <summary>A framing stage reads these words: it takes an <c>Error</c> ahead of what waits.</summary>
    public void MarkFramed() => _framed = true;

    public void MarkFramingStopped() => _framingStopped.TrySetResult();
}
