namespace Wormhole.Streams;

/// <summary>
/// Wormhole's <see cref="System.Diagnostics.Metrics.Meter"/>: its name, and the names of its instruments and tags (see
/// docs/observability.md for units and meanings). A nexus made with an <see cref="System.Diagnostics.Metrics.IMeterFactory"/>
/// creates its meter from it; otherwise every such nexus shares one static meter.
/// </summary>
public static class WormholeMetrics
{
    /// <summary>The meter's name: what <c>AddMeter</c> takes in OpenTelemetry.</summary>
    public const string MeterName = "Wormhole";

    /// <summary>Portals open now (UpDownCounter, <c>{portal}</c>).</summary>
    public const string PortalsOpen = "wormhole.portals.open";

    /// <summary>Portals whose handshake completed (Counter, <c>{portal}</c>).</summary>
    public const string PortalsOpened = "wormhole.portals.opened";

    /// <summary>Portals closed, opened or not, tagged <see cref="CloseKindTag"/> (Counter, <c>{portal}</c>).</summary>
    public const string PortalsClosed = "wormhole.portals.closed";

    /// <summary>Frames received (Counter, <c>{frame}</c>).</summary>
    public const string FramesIn = "wormhole.frames.in";

    /// <summary>Frames sent (Counter, <c>{frame}</c>).</summary>
    public const string FramesOut = "wormhole.frames.out";

    /// <summary>Bytes received, frame bodies without transport framing (Counter, <c>By</c>).</summary>
    public const string BytesIn = "wormhole.bytes.in";

    /// <summary>Bytes sent, frame bodies without transport framing (Counter, <c>By</c>).</summary>
    public const string BytesOut = "wormhole.bytes.out";

    /// <summary>Messages dropped, tagged <see cref="ReasonTag"/> (Counter, <c>{message}</c>).</summary>
    public const string MessagesDropped = "wormhole.messages.dropped";

    /// <summary>Proxies held for peers' actors (UpDownCounter, <c>{proxy}</c>).</summary>
    public const string Proxies = "wormhole.proxies";

    /// <summary>Actors published on open portals, named, anonymous and reply ports (UpDownCounter, <c>{publication}</c>).</summary>
    public const string Publications = "wormhole.publications";

    /// <summary>Asks sent to peers and not yet answered (UpDownCounter, <c>{ask}</c>).</summary>
    public const string AsksPending = "wormhole.asks.pending";

    /// <summary>From an ask's request leaving to its first reply arriving (Histogram, <c>s</c>).</summary>
    public const string AskDuration = "wormhole.ask.duration";

    /// <summary>Limits of this side reached, tagged <see cref="LimitTag"/> (Counter, <c>{hit}</c>).</summary>
    public const string LimitHits = "wormhole.limit.hits";

    /// <summary>The tag of <see cref="PortalsClosed"/>: a <see cref="PortalCloseKind"/> name.</summary>
    public const string CloseKindTag = "close.kind";

    /// <summary>The tag of <see cref="MessagesDropped"/>: why, e.g. <c>unknown-target</c>, <c>outbound-overflow</c>, <c>portal-closed</c>.</summary>
    public const string ReasonTag = "reason";

    /// <summary>The tag of <see cref="LimitHits"/>: the <see cref="NexusOptions"/> property, e.g. <c>MaxUnknownRequests</c>.</summary>
    public const string LimitTag = "limit";
}
