namespace Chat.Contracts;

/// <summary>What both sides agree on besides the message types: where the hub lives and the limits the server enforces.</summary>
public static class ChatProtocol
{
    /// <summary>The name the server publishes its <see cref="ChatHub"/> under, nexus-wide.</summary>
    public const string HubName = "chat";

    /// <summary>The WebSocket path of the server's wormhole endpoint.</summary>
    public const string Path = "/chat";

    /// <summary>The longest post the server accepts, in UTF-16 characters.</summary>
    public const int MaxPostLength = 500;

    /// <summary>The longest alias the server accepts.</summary>
    public const int MaxAliasLength = 24;

    /// <summary>How many recent posts a <see cref="Welcome"/> carries.</summary>
    public const int HistoryLength = 50;

    /// <summary>How many posts the server keeps for <see cref="ReadHistory"/>; past it the oldest are dropped.</summary>
    public const int MaxHistory = 10_000;
}
