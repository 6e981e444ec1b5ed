namespace Wormhole.Streams;

/// <summary>A server turned the connection away before any portal opened (a WebSocket request answered 401 or 403): reported with <see cref="PortalErrorCodes.Refused"/>.</summary>
internal sealed class ConnectionRefusedException(string message, Exception inner) : IOException(message, inner);
