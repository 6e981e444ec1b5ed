namespace Wormhole.Streams;

/// <summary>
/// Limits and timeouts of a portal. Set once per <see cref="Nexus"/> (every portal's defaults) and override per portal
/// (<see cref="Nexus.ConnectAsync(Conduit, NexusOptions, CancellationToken)"/>, <see cref="PortalAdmission.Accept(NexusOptions?)"/>).
/// The defaults are safe for untrusted peers.
/// </summary>
/// <remarks>
/// A peer that exceeds a limit gets an <c>Error</c> frame naming it and its portal closes with
/// <see cref="PortalCloseKind.LimitExceeded"/>, except <see cref="MaxPendingReplies"/>, which refuses the single request.
/// Other portals are never affected.
/// </remarks>
public sealed record NexusOptions
{
    /// <summary>The smallest <see cref="MaxFrameBytes"/> a side may state: 1,024 bytes (the protocol's minimum).</summary>
    public const int MinFrameBytes = 1024;

    /// <summary>Largest frame accepted or sent, in bytes. Default 1 MiB; range 1 KiB to 64 MiB.</summary>
    public int MaxFrameBytes { get; init; } = 1024 * 1024;

    /// <summary>How long the peer has to send its <c>Hello</c>. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a portal may go without a frame from the peer. Default 60 s; at least 300 ms. Each side states its own in
    /// its <c>Hello</c>, and both send a keep-alive after at most half the smaller of the two without sending anything, so an
    /// idle but healthy peer never trips it, whatever its own setting.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Frames queued for a peer that does not read; past it <see cref="OutboundOverflow"/> applies. Default 10,000.</summary>
    public int MaxOutboundFrames { get; init; } = 10_000;

    /// <summary>
    /// Bytes of messages queued for a peer that does not read (payloads plus a small overhead per frame); past it
    /// <see cref="OutboundOverflow"/> applies. Default 16 MiB.
    /// </summary>
    public long MaxOutboundBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>What happens when <see cref="MaxOutboundFrames"/> or <see cref="MaxOutboundBytes"/> are queued. Default <see cref="OutboundOverflowPolicy.FailPortal"/>.</summary>
    public OutboundOverflowPolicy OutboundOverflow { get; init; } = OutboundOverflowPolicy.FailPortal;

    /// <summary>Actors this side publishes on one portal at once: named, anonymous and reply ports. Default 10,000.</summary>
    public int MaxPublications { get; init; } = 10_000;

    /// <summary>Proxies one portal holds for the peer's actors at once. Default 10,000.</summary>
    public int MaxProxies { get; init; } = 10_000;

    /// <summary>
    /// Proxies all portals of the nexus hold at once (a proxy costs a few hundred bytes). Default 200,000. Read from the
    /// options the nexus is created with; a peer whose reference would pass it closes its portal with
    /// <see cref="PortalCloseKind.LimitExceeded"/> (code <c>MaxProxies</c>).
    /// </summary>
    public int MaxProxiesPerNexus { get; init; } = 200_000;

    /// <summary>
    /// Reply ports and asks pending on one portal, in each direction. Default 1,000. Past it the single request is refused:
    /// a local ask fails at once with <see cref="LimitExceededException"/>, and the peer's request gets a failure reply.
    /// </summary>
    public int MaxPendingReplies { get; init; } = 1_000;

    /// <summary>Frames per second the peer may send (a token bucket holding one second's worth). Default 10,000.</summary>
    /// <remarks>When the bucket is empty the portal stops reading the conduit, so the transport pushes back on the peer.</remarks>
    public int MaxInboundFramesPerSecond { get; init; } = 10_000;

    /// <summary>Bytes per second the peer may send (a token bucket holding one second's worth). Default 16 MiB.</summary>
    public int MaxInboundBytesPerSecond { get; init; } = 16 * 1024 * 1024;

    /// <summary>Lookups of unknown names plus messages for unknown ids the peer may make before the portal closes. Default 100.</summary>
    public int MaxUnknownRequests { get; init; } = 100;

    /// <summary>How long the peer may take to answer an Akka <c>Ask</c> sent through a proxy. Default 60 s.</summary>
    public TimeSpan SenderReplyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Deepest nesting of a message payload that is decoded. Default 64.</summary>
    public int MaxMessageDepth { get; init; } = 64;

    /// <summary>
    /// Streams open on one portal in each direction: offered to the peer and not ended, and offered by the peer and not
    /// ended. Default 100. Offering one more fails the message at send (<see cref="LimitExceededException"/>); a peer that
    /// offers one more closes the portal (code <c>MaxStreams</c>).
    /// </summary>
    public int MaxStreams { get; init; } = 100;

    /// <summary>The credit a consumer grants a new stream, in elements (it grows while the consumer outpaces the stream). Default 256.</summary>
    public int StreamWindowElements { get; init; } = 256;

    /// <summary>The credit a consumer grants a new stream, in bytes (it grows up to <see cref="MaxStreamWindowBytes"/>). Default 256 KiB.</summary>
    public int StreamWindowBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// The most byte credit a consumer grants one stream: with one element more, the bound on what a stream buffers on the
    /// consuming side. Default 4 MiB.
    /// </summary>
    public int MaxStreamWindowBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// The largest stream element, encoded, in either direction (and never more than the frame limit allows). Default 1 MiB
    /// less 64 bytes. Sending a larger one fails the stream; receiving one is a protocol violation of that stream.
    /// </summary>
    public int MaxStreamElementBytes { get; init; } = 1024 * 1024 - 64;

    /// <summary>
    /// Elements the producing side pulls from a stream's source ahead of sending them, whatever credit the consumer grants:
    /// with the element being sent, the bound on what a stream buffers on the producing side. Default 256.
    /// </summary>
    public int StreamProducerBuffer { get; init; } = 256;

    /// <summary>
    /// How long an offered stream may go unconsumed. Default 30 s. The producer then ends it without ever opening its source,
    /// and a consumer that comes later gets a <see cref="RemoteStreamException"/> (code <c>subscription-timeout</c>).
    /// </summary>
    public TimeSpan StreamSubscriptionTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Elements an <see cref="IObservable{T}"/> sent as a stream may push ahead of the peer's demand; past it
    /// <see cref="ObservableOverflow"/> applies. Default 1,024; at least 1. Override per stream with
    /// <see cref="ObservableStreamExtensions.WithStreamBuffer{T}"/>.
    /// </summary>
    /// <remarks>An observable has no backpressure, so this bound is what keeps a fast observable's memory finite.</remarks>
    public int ObservableBufferSize { get; init; } = 1024;

    /// <summary>
    /// What happens when an observable sent as a stream pushes while <see cref="ObservableBufferSize"/> elements are
    /// buffered. Default <see cref="ObservableOverflowPolicy.FailStream"/>.
    /// </summary>
    public ObservableOverflowPolicy ObservableOverflow { get; init; } = ObservableOverflowPolicy.FailStream;

    /// <summary>
    /// Whether a trace context the peer sends with a message becomes the parent of this side's receive span. Default true
    /// (as ASP.NET Core takes <c>traceparent</c> from any request); pass false when admitting peers whose ids should not
    /// land in your traces: their messages then start new root spans. See <see cref="WormholeTracing"/>.
    /// </summary>
    /// <remarks>
    /// A malformed or oversized context (see <see cref="PortalCounters.IgnoredTraceContexts"/>) is ignored and counted,
    /// never a reason to close the portal.
    /// </remarks>
    public bool AcceptTraceContext { get; init; } = true;

    internal NexusOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameBytes, MinFrameBytes, nameof(MaxFrameBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxFrameBytes, 64 * 1024 * 1024, nameof(MaxFrameBytes));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero, nameof(HandshakeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(IdleTimeout, TimeSpan.FromMilliseconds(300), nameof(IdleTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutboundFrames, 1, nameof(MaxOutboundFrames));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutboundBytes, MaxFrameBytes, nameof(MaxOutboundBytes));
        if (!Enum.IsDefined(OutboundOverflow))
        {
            throw new ArgumentOutOfRangeException(nameof(OutboundOverflow), OutboundOverflow, "not a defined policy");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPublications, 1, nameof(MaxPublications));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxProxies, 1, nameof(MaxProxies));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxProxiesPerNexus, 1, nameof(MaxProxiesPerNexus));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingReplies, 1, nameof(MaxPendingReplies));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInboundFramesPerSecond, 1, nameof(MaxInboundFramesPerSecond));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInboundBytesPerSecond, MaxFrameBytes, nameof(MaxInboundBytesPerSecond));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxUnknownRequests, nameof(MaxUnknownRequests));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SenderReplyTimeout, TimeSpan.Zero, nameof(SenderReplyTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageDepth, 1, nameof(MaxMessageDepth));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStreams, 1, nameof(MaxStreams));
        ArgumentOutOfRangeException.ThrowIfLessThan(StreamWindowElements, 1, nameof(StreamWindowElements));
        ArgumentOutOfRangeException.ThrowIfLessThan(StreamWindowBytes, 1, nameof(StreamWindowBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStreamWindowBytes, StreamWindowBytes, nameof(MaxStreamWindowBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStreamElementBytes, 1, nameof(MaxStreamElementBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(StreamProducerBuffer, 1, nameof(StreamProducerBuffer));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StreamSubscriptionTimeout, TimeSpan.Zero, nameof(StreamSubscriptionTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(ObservableBufferSize, 1, nameof(ObservableBufferSize));
        if (!Enum.IsDefined(ObservableOverflow))
        {
            throw new ArgumentOutOfRangeException(nameof(ObservableOverflow), ObservableOverflow, "not a defined policy");
        }

        return this;
    }
}
