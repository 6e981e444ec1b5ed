namespace Wormhole.Streams;

/// <summary>Why a portal closed.</summary>
/// <param name="Kind">The broad reason.</param>
/// <param name="Message">A sentence that names the cause (the limit, the frame, the peer's words).</param>
/// <param name="Exception">The exception behind it, if any.</param>
public sealed record PortalCloseReason(PortalCloseKind Kind, string Message, Exception? Exception = null)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind}: {Message}";
}
