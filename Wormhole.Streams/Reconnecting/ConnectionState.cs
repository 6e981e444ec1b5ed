namespace Wormhole.Streams;

/// <summary>Where a <see cref="ReconnectingPortal"/> is, for a UI to show.</summary>
public abstract record ConnectionState
{
    private ConnectionState()
    {
    }

    /// <summary>The first connect is under way.</summary>
    public sealed record Connecting : ConnectionState;

    /// <summary><paramref name="Portal"/> is open: the first, or a new one after a loss.</summary>
    /// <param name="Portal">The open portal.</param>
    /// <param name="Reconnected">False for the first portal; true for each after a loss.</param>
    public sealed record Connected(Portal Portal, bool Reconnected) : ConnectionState;

    /// <summary>The last portal closed, or an attempt failed, for <paramref name="Reason"/>; attempt number <paramref name="Attempt"/> starts in <paramref name="Delay"/>.</summary>
    /// <param name="Attempt">The attempt about to be made, 1-based since the last portal opened.</param>
    /// <param name="Delay">How long until it starts.</param>
    /// <param name="Reason">Why the last portal closed or the last attempt failed.</param>
    public sealed record Reconnecting(int Attempt, TimeSpan Delay, PortalCloseReason Reason) : ConnectionState;

    /// <summary>Over for good: this side closed it, a reason not worth reconnecting after, or <see cref="ReconnectPolicy.MaxAttempts"/> ran out (<paramref name="GaveUp"/>).</summary>
    /// <param name="Reason">Why.</param>
    /// <param name="GaveUp">True when the attempts ran out.</param>
    public sealed record Closed(PortalCloseReason Reason, bool GaveUp) : ConnectionState;
}
