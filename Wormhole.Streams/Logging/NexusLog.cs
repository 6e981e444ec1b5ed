using Microsoft.Extensions.Logging;

namespace Wormhole.Streams.Logging;

/// <summary>The events of category <see cref="LogCategories.Nexus"/> (event ids 2001-2099).</summary>
internal static partial class NexusLog
{
    [LoggerMessage(EventId = 2001, EventName = "AdmissionRefused", Level = LogLevel.Information, Message = "Wormhole: refused a connection from {RemoteEndPoint}: {Reason}")]
    public static partial void AdmissionRefused(ILogger logger, string remoteEndPoint, string reason);

    [LoggerMessage(EventId = 2002, EventName = "AdmissionFailed", Level = LogLevel.Error, Message = "Wormhole: refused a connection from {RemoteEndPoint}: the admission callback failed: {Reason}")]
    public static partial void AdmissionFailed(ILogger logger, string remoteEndPoint, string reason, Exception exception);

    [LoggerMessage(EventId = 2003, EventName = "OpenedCallbackFailed", Level = LogLevel.Error, Message = "Wormhole: portal {PortalId}'s opened callback failed; closing it (peer {RemoteEndPoint}): {Reason}")]
    public static partial void OpenedCallbackFailed(ILogger logger, string portalId, string remoteEndPoint, string reason, Exception exception);
}
