namespace Wormhole.Streams;

/// <summary>Something that happened to a portal of a nexus.</summary>
/// <param name="Portal">The portal.</param>
public abstract record PortalEvent(Portal Portal)
{
    /// <summary>The portal completed its handshake and is open.</summary>
    /// <param name="Portal">The portal.</param>
    public sealed record Opened(Portal Portal) : PortalEvent(Portal);

    /// <summary>The portal closed; also for a portal that never opened (its handshake failed), so no <see cref="Opened"/> precedes it.</summary>
    /// <param name="Portal">The portal.</param>
    /// <param name="Reason">Why.</param>
    public sealed record Closed(Portal Portal, PortalCloseReason Reason) : PortalEvent(Portal);
}
