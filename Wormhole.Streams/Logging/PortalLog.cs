using Microsoft.Extensions.Logging;

namespace Wormhole.Streams.Logging;

/// <summary>The events of category <see cref="LogCategories.Portal"/> (event ids 1001-1099).</summary>
internal static partial class PortalLog
{
    [LoggerMessage(EventId = 1001, EventName = "PortalOpened", Level = LogLevel.Debug, Message = "Portal {PortalId} opened (peer {RemoteEndPoint})")]
    public static partial void Opened(ILogger logger, string portalId, string remoteEndPoint);

    [LoggerMessage(EventId = 1002, EventName = "PortalClosed", Level = LogLevel.Information, Message = "Portal {PortalId} closed: {CloseKind}: {Reason} (peer {RemoteEndPoint})")]
    public static partial void Closed(ILogger logger, string portalId, PortalCloseKind closeKind, string reason, string remoteEndPoint);

    [LoggerMessage(EventId = 1003, EventName = "PortalFaulted", Level = LogLevel.Warning, Message = "Portal {PortalId} closed: {CloseKind}: {Reason} (peer {RemoteEndPoint}, code {Code})")]
    public static partial void Faulted(ILogger logger, string portalId, PortalCloseKind closeKind, string reason, string remoteEndPoint, string code, Exception? exception);

    [LoggerMessage(EventId = 1004, EventName = "PortalLimitExceeded", Level = LogLevel.Warning, Message = "Portal {PortalId} closed: {CloseKind}: {Reason} (peer {RemoteEndPoint}, limit {LimitName})")]
    public static partial void LimitExceeded(ILogger logger, string portalId, PortalCloseKind closeKind, string reason, string remoteEndPoint, string limitName, Exception? exception);

    [LoggerMessage(EventId = 1005, EventName = "UnsentOnClose", Level = LogLevel.Warning, Message = "Portal {PortalId}: {Dropped:N0} messages for the peer were not sent: the portal closed ({CloseKind}: {Reason})")]
    public static partial void UnsentOnClose(ILogger logger, string portalId, int dropped, PortalCloseKind closeKind, string reason);

    [LoggerMessage(EventId = 1010, EventName = "UnknownTarget", Level = LogLevel.Warning, Message = "Portal {PortalId}: dropped a message for id {TargetId}, which is not (or no longer) published here ({Dropped:N0} dropped on this portal)")]
    public static partial void UnknownTarget(ILogger logger, string portalId, string targetId, long dropped);

    [LoggerMessage(EventId = 1011, EventName = "RequestRefused", Level = LogLevel.Warning, Message = "Portal {PortalId}: refused a message for id {TargetId}: {LimitName}: {Reason}")]
    public static partial void RequestRefused(ILogger logger, string portalId, string targetId, string limitName, string reason);

    [LoggerMessage(EventId = 1012, EventName = "OutboundRefused", Level = LogLevel.Warning, Message = "Portal {PortalId}: did not send a {MessageType} to remote id {TargetId}: {Reason} ({Dropped:N0} dropped on this portal)")]
    public static partial void OutboundRefused(ILogger logger, string portalId, string messageType, string targetId, string reason, long dropped);

    [LoggerMessage(EventId = 1013, EventName = "OutboundOverflow", Level = LogLevel.Warning, Message = "Portal {PortalId}: dropped a message for remote id {TargetId}: {QueuedFrames:N0} frames ({QueuedBytes:N0} bytes) wait for the conduit, which takes them slower than this side sends ({LimitName}, DropNewest; {Dropped:N0} dropped so far)")]
    public static partial void OutboundOverflow(ILogger logger, string portalId, string targetId, int queuedFrames, long queuedBytes, string limitName, long dropped);

    [LoggerMessage(EventId = 1014, EventName = "StreamWarning", Level = LogLevel.Warning, Message = "Portal {PortalId}: {Warning} ({WarningKind})")]
    public static partial void StreamWarning(ILogger logger, string portalId, string warning, string warningKind);

    [LoggerMessage(EventId = 1020, EventName = "WarningsSuppressed", Level = LogLevel.Warning, Message = "Wormhole: {Suppressed:N0} more warnings of kind '{WarningKind}' were not logged in the last {WindowSeconds} s (rate limit {PerWindow} per {WindowSeconds} s per nexus; the portals' counters have exact figures)")]
    public static partial void WarningsSuppressed(ILogger logger, int suppressed, string warningKind, double windowSeconds, int perWindow);

    /// <summary>Logs a portal's close: Information for an orderly one, Warning for a fault, naming the limit when one was exceeded.</summary>
    public static void Closed(ILogger logger, Portal portal, PortalCloseReason reason)
    {
        var peer = Peer(portal);
        if (reason.Kind is PortalCloseKind.ClosedLocally or PortalCloseKind.ClosedByPeer or PortalCloseKind.ConduitCompleted)
        {
            Closed(logger, portal.Id, reason.Kind, reason.Message, peer);
        }
        else if (reason.Limit is { } limit)
        {
            LimitExceeded(logger, portal.Id, reason.Kind, reason.Message, peer, limit, reason.Exception);
        }
        else
        {
            // A lost connection's exception says no more than its message, already in the reason: no stack trace for it.
            Faulted(logger, portal.Id, reason.Kind, reason.Message, peer, reason.Code ?? "none", reason.Kind == PortalCloseKind.ConduitFailed ? null : reason.Exception);
        }
    }

    /// <summary>The peer's address as the logs show it.</summary>
    public static string Peer(Portal portal) => portal.RemoteEndPoint?.ToString() ?? "unknown";
}
