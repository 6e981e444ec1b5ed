namespace Wormhole.Streams;

/// <summary>
/// Where a reconnecting connection connects, how it backs off between attempts, and when it gives up
/// (<see cref="Nexus.ConnectAsync(ReconnectPolicy, CancellationToken)"/>).
/// </summary>
public sealed record ReconnectPolicy
{
    /// <summary>Makes a policy over <paramref name="endpoints"/>, tried in turn.</summary>
    /// <param name="endpoints">The servers, e.g. one <see cref="Conduit.WebSocket(Uri)"/> per node; each is connected again and again, so in-memory pairs do not fit.</param>
    /// <exception cref="ArgumentException"><paramref name="endpoints"/> is empty or holds a null.</exception>
    public ReconnectPolicy(params IReadOnlyList<Conduit> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.Count == 0 || endpoints.Any(endpoint => endpoint is null))
        {
            throw new ArgumentException("A reconnect policy needs at least one endpoint, and no null.", nameof(endpoints));
        }

        Endpoints = endpoints;
    }

    /// <summary>
    /// The servers. The first connect starts with the first; after a portal is lost, the next attempt goes to the endpoint
    /// after the one that was lost (a dead node is tried last), and each failed attempt moves on to the next.
    /// </summary>
    public IReadOnlyList<Conduit> Endpoints { get; }

    /// <summary>The delay before the first attempt after a loss (500 ms); the first connect starts at once.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest delay between attempts (30 s).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Each attempt's delay is the previous one's times this (2), up to <see cref="MaxDelay"/>.</summary>
    public double Factor { get; init; } = 2;

    /// <summary>Each delay is drawn at random from [delay × (1 − <see cref="Jitter"/>), delay], so that many clients do not come back at once (0.2; 0 to 1).</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>Attempts in a row (since the last portal opened) before giving up; null: never give up.</summary>
    public int? MaxAttempts { get; init; }

    /// <summary>Whether a close reason is worth reconnecting after; <see cref="ReconnectsAfter"/> unless set.</summary>
    public Func<PortalCloseReason, bool> When { get; init; } = ReconnectsAfter;

    /// <summary>
    /// The default rule: reconnect after the connection was lost, and after the server's <c>Goodbye</c> (what a server sends
    /// as it shuts down: a clustered client goes on through another node), not after a fault the next portal would meet
    /// again, nor after a refusal. So <see cref="PortalCloseKind.ConduitFailed"/> (but not a refusal,
    /// <see cref="PortalErrorCodes.Refused"/>), <see cref="PortalCloseKind.ConduitCompleted"/>,
    /// <see cref="PortalCloseKind.ClosedByPeer"/> (but not a <c>Goodbye</c> for good, <see cref="PortalCloseReason.Final"/>:
    /// a plain TCP or Unix socket listener's refusal, <see cref="Portal.CloseForGoodAsync"/>), this side's <see cref="NexusOptions.IdleTimeout"/> (the server went silent)
    /// and a handshake timeout reconnect; <see cref="PortalCloseKind.ClosedLocally"/>, <see cref="PortalCloseKind.PeerError"/>,
    /// <see cref="PortalCloseKind.ProtocolViolation"/>, other limits and other handshake failures do not.
    /// </summary>
    /// <param name="reason">Why the portal closed, or why the attempt failed.</param>
    /// <returns>Whether to try again.</returns>
    public static bool ReconnectsAfter(PortalCloseReason reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return reason.Kind switch
        {
            PortalCloseKind.ConduitFailed => reason.Code != PortalErrorCodes.Refused,
            PortalCloseKind.ConduitCompleted => true,
            PortalCloseKind.ClosedByPeer => !reason.Final,
            PortalCloseKind.LimitExceeded => reason.Code == PortalErrorCodes.IdleTimeout,
            PortalCloseKind.HandshakeFailed => reason.Code == PortalErrorCodes.HandshakeTimeout,
            _ => false,
        };
    }

    /// <summary>The delay before attempt number <paramref name="attempt"/> (1-based) after a loss, before jitter.</summary>
    internal TimeSpan DelayBefore(int attempt) =>
        TimeSpan.FromTicks((long)Math.Min(MaxDelay.Ticks, InitialDelay.Ticks * Math.Pow(Factor, attempt - 1)));

    internal ReconnectPolicy Validated()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(InitialDelay.Ticks, nameof(InitialDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, InitialDelay, nameof(MaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(Factor, 1, nameof(Factor));
        ArgumentOutOfRangeException.ThrowIfNegative(Jitter, nameof(Jitter));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Jitter, 1, nameof(Jitter));
        if (MaxAttempts is { } attempts)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(attempts, nameof(MaxAttempts));
        }

        ArgumentNullException.ThrowIfNull(When, nameof(When));
        return this;
    }
}
