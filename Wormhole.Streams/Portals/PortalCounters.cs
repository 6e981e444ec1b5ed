namespace Wormhole.Streams;

/// <summary>Live counters of one portal; safe to read from any thread.</summary>
public sealed class PortalCounters
{
    private long _framesIn, _framesOut, _bytesIn, _bytesOut, _dropped;
    private long _ignoredTraceContexts;
    private int _publications, _proxies, _streams;

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

    internal void Drop() => Interlocked.Increment(ref _dropped);

    internal void IgnoreTraceContext() => Interlocked.Increment(ref _ignoredTraceContexts);

    internal void Drop(int count) => Interlocked.Add(ref _dropped, count);

    internal void SetStreams(int count) => Volatile.Write(ref _streams, count);

    internal void SetPublications(int count) => Volatile.Write(ref _publications, count);

    internal void SetProxies(int count) => Volatile.Write(ref _proxies, count);

    /// <inheritdoc />
    public override string ToString() =>
        $"frames {FramesIn} in / {FramesOut} out, bytes {BytesIn} in / {BytesOut} out, {Publications} publications, {Proxies} proxies, {Streams} streams, {Dropped} dropped";
}
