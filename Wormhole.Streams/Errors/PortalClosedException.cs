namespace Wormhole.Streams;

/// <summary>Thrown to a pending ask, lookup or reply when its portal closes.</summary>
public sealed class PortalClosedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why the portal closed.</param>
    public PortalClosedException(PortalCloseReason reason)
        : base($"The portal closed ({reason}).", reason.Exception) => Reason = reason;

    /// <summary>Why the portal closed.</summary>
    public PortalCloseReason Reason { get; }
}
