using Wormhole.Streams.Metering;

namespace Wormhole.Streams;

/// <summary>Live counters of one portal; safe to read from any thread.</summary>
public sealed class PortalCounters
{
    private long _framesIn, _framesOut, _bytesIn, _bytesOut, _dropped;
    private long _ignoredTraceContexts;
    private int _publications, _proxies, _streams, _pendingAsks;

    /// <summary>Frames received.</summary>
    public long FramesIn => Volatile.Read(ref _framesIn);

    /// <summary>Frames sent.</summary>
    public long FramesOut => Volatile.Read(ref _framesOut);

    /// <summary>Bytes received (frame bodies, without transport framing).</summary>
    public long BytesIn => Volatile.Read(ref _bytesIn);

    /// <summary>Bytes sent (frame bodies, without transport framing).</summary>
    public long BytesOut => Volatile.Read(ref _bytesOut);

    /// <summary>Messages dropped (each also logged): unknown targets, undeliverable or unencodable messages.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>
    /// Trace contexts from the peer that were ignored, whole or in part: a <c>traceparent</c> that is not 55 characters of
    /// W3C version 00, a <c>tracestate</c> without one, or one longer than 512 characters. The message itself is delivered.
    /// </summary>
    public long IgnoredTraceContexts => Volatile.Read(ref _ignoredTraceContexts);

    /// <summary>Actors this side currently publishes on the portal (named, anonymous and reply ports).</summary>
    public int Publications => Volatile.Read(ref _publications);

    /// <summary>Proxies this side currently holds for the peer's actors.</summary>
    public int Proxies => Volatile.Read(ref _proxies);

    /// <summary>Streams open on the portal, both directions: offered to the peer and not ended, or offered by it and not ended.</summary>
    public int Streams => Volatile.Read(ref _streams);

    internal void FrameIn(int bytes)
    {
        Interlocked.Increment(ref _framesIn);
        Interlocked.Add(ref _bytesIn, bytes);
    }

    internal void FrameOut(int bytes)
    {
        Interlocked.Increment(ref _framesOut);
        Interlocked.Add(ref _bytesOut, bytes);
    }

    /// <summary>Asks this side sent on the portal and the peer has not answered yet (one-shot reply publications).</summary>
    internal int PendingAsks => Volatile.Read(ref _pendingAsks);

    internal void IgnoreTraceContext() => Interlocked.Increment(ref _ignoredTraceContexts);

    /// <summary>The nexus's part of the meter, told of drops and limit hits (rare events; frames are summed when it is read).</summary>
    internal NexusMetrics? Metrics { get; init; }

    /// <summary>Counts <paramref name="count"/> dropped messages, and tells the meter why.</summary>
    /// <param name="reason">The <see cref="WormholeMetrics.ReasonTag"/> value, e.g. <c>unknown-target</c>.</param>
    /// <param name="count">How many.</param>
    internal void Drop(string reason, int count = 1)
    {
        Interlocked.Add(ref _dropped, count);
        Metrics?.Dropped(reason, count);
    }

    /// <summary>A limit of this side was reached (a request refused or a message dropped for it).</summary>
    internal void LimitHit(string limit) => Metrics?.LimitHit(limit);

    internal void SetPendingAsks(int count) => Volatile.Write(ref _pendingAsks, count);

    internal void SetStreams(int count) => Volatile.Write(ref _streams, count);

    internal void SetPublications(int count) => Volatile.Write(ref _publications, count);

    internal void SetProxies(int count) => Volatile.Write(ref _proxies, count);

    /// <inheritdoc />
    public override string ToString() =>
        $"frames {FramesIn} in / {FramesOut} out, bytes {BytesIn} in / {BytesOut} out, {Publications} publications, {Proxies} proxies, {Streams} streams, {Dropped} dropped";
}
