using Microsoft.Extensions.Logging;

namespace Wormhole.Streams.Logging;

/// <summary>The events of category <see cref="LogCategories.Listener"/> (event ids 3001-3099).</summary>
internal static partial class ListenerLog
{
    [LoggerMessage(EventId = 3001, EventName = "AcceptStopped", Level = LogLevel.Error, Message = "{Listener} stopped accepting connections")]
    public static partial void AcceptStopped(ILogger logger, string listener, Exception exception);

    [LoggerMessage(EventId = 3002, EventName = "ConnectionRefused", Level = LogLevel.Warning, Message = "{Listener} refused a connection from {RemoteEndPoint}: {Reason}")]
    public static partial void ConnectionRefused(ILogger logger, string listener, string remoteEndPoint, string reason);

    [LoggerMessage(EventId = 3003, EventName = "ServeFailed", Level = LogLevel.Warning, Message = "{Listener} could not serve a connection: {Reason}")]
    public static partial void ServeFailed(ILogger logger, string listener, string reason);
}
