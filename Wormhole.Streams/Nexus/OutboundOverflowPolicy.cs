namespace Wormhole.Streams;

/// <summary>What a portal does with a message for a peer that has <see cref="NexusOptions.MaxOutboundFrames"/> unread frames queued.</summary>
public enum OutboundOverflowPolicy
{
    /// <summary>Close the portal with <see cref="PortalCloseKind.LimitExceeded"/>: the peer does not read. The default.</summary>
    FailPortal,

    /// <summary>Drop the new message; each drop is counted (<see cref="PortalCounters.Dropped"/>) and logged with its target.</summary>
    DropNewest,
}
