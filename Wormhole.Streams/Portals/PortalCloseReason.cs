namespace Wormhole.Streams;

/// <summary>Why a portal closed.</summary>
/// <param name="Kind">The broad reason.</param>
/// <param name="Message">A sentence that names the cause (the limit, the frame, the peer's words), for this side's logs.</param>
/// <param name="Exception">The exception behind it, if any.</param>
public sealed record PortalCloseReason(PortalCloseKind Kind, string Message, Exception? Exception = null)
{
    /// <summary>
    /// The wire code of the fault (one of <see cref="PortalErrorCodes"/>, or what the peer sent in its <c>Error</c> frame);
    /// null for an orderly close or a lost conduit.
    /// </summary>
    public string? Code { get; init; }

    /// <summary>The <see cref="NexusOptions"/> property whose limit was exceeded, on either side; null when no limit was.</summary>
    public string? Limit { get; init; }

    /// <summary>
    /// The <c>Goodbye</c> said "for good" (<see cref="Portal.CloseForGoodAsync"/>): the server turned this client away, a
    /// reconnecting client does not try again. False for an ordinary close, e.g. a server that shuts down.
    /// </summary>
    public bool Final { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Kind}: {Message}";
}
