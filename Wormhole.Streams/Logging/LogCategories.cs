namespace Wormhole.Streams;

/// <summary>The logging categories Wormhole writes under (see docs/observability.md for their events).</summary>
public static class LogCategories
{
    /// <summary>A portal's life: opened, closed (with its kind, code and limit), messages dropped or refused, peers' faults.</summary>
    public const string Portal = "Wormhole.Portal";

    /// <summary>The nexus: connections refused at admission, admission callbacks that failed, rate-limited warnings summed up.</summary>
    public const string Nexus = "Wormhole.Nexus";

    /// <summary>The TCP, TLS and Unix socket listeners: connections refused before admission, an accept loop that stopped.</summary>
    public const string Listener = "Wormhole.Listener";
}
