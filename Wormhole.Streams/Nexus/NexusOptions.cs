namespace Wormhole.Streams;

/// <summary>Limits and timeouts for every portal of a <see cref="Nexus"/>. Defaults are safe for untrusted peers.</summary>
public sealed record NexusOptions
{
    /// <summary>Largest frame accepted or sent, in bytes. Default 1 MiB; range 1 KiB to 64 MiB.</summary>
    public int MaxFrameBytes { get; init; } = 1024 * 1024;

    /// <summary>How long the peer has to send its <c>Hello</c>. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Frames queued for a peer that does not read before the portal fails. Default 10,000.</summary>
    public int MaxOutboundFrames { get; init; } = 10_000;

    /// <summary>How long the peer may take to answer an Akka <c>Ask</c> sent through a proxy. Default 60 s.</summary>
    public TimeSpan SenderReplyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Deepest nesting of a message payload that is decoded. Default 64.</summary>
    public int MaxMessageDepth { get; init; } = 64;

    internal NexusOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameBytes, 1024, nameof(MaxFrameBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxFrameBytes, 64 * 1024 * 1024, nameof(MaxFrameBytes));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero, nameof(HandshakeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutboundFrames, 1, nameof(MaxOutboundFrames));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SenderReplyTimeout, TimeSpan.Zero, nameof(SenderReplyTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageDepth, 1, nameof(MaxMessageDepth));
        return this;
    }
}
