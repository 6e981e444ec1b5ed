namespace Wormhole.Streams.Streaming;

/// <summary>The codes of <c>StreamEnd</c> and <c>StreamCancel</c> frames (an empty code: completed, or cancelled by choice).</summary>
internal static class StreamEndCodes
{
    /// <summary>End: the producer stopped because the consumer cancelled.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>End: the producer's source failed.</summary>
    public const string Failed = "failed";

    /// <summary>End or Cancel: nobody consumed the stream within <see cref="NexusOptions.StreamSubscriptionTimeout"/>.</summary>
    public const string SubscriptionTimeout = "subscription-timeout";

    /// <summary>Cancel: the producer broke the stream's rules (a gap, an element beyond credit, one that does not decode).</summary>
    public const string ProtocolViolation = "protocol-violation";
}
