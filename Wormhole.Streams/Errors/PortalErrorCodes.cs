namespace Wormhole.Streams;

/// <summary>
/// The codes an <c>Error</c> frame carries (<see cref="PortalCloseReason.Code"/>): the wire's whole vocabulary of faults.
/// A limit's code is the name of its <see cref="NexusOptions"/> property.
/// </summary>
/// <remarks>
/// The table with what each code means is in <c>docs/protocol.md</c> ("Error codes"). A peer may send a code not listed
/// here; the receiver closes with <see cref="PortalCloseKind.PeerError"/> and keeps the code as it came.
/// </remarks>
public static class PortalErrorCodes
{
    /// <summary>Not on the wire: the server refused the connection before any portal opened (a WebSocket request answered 401 or 403 by its admission or authorization).</summary>
    public const string Refused = "refused";

    /// <summary>A frame other than <c>Hello</c> arrived before the peer's <c>Hello</c>.</summary>
    public const string HelloExpected = "hello-expected";

    /// <summary>A second <c>Hello</c> arrived.</summary>
    public const string DuplicateHello = "duplicate-hello";

    /// <summary>The peer's <c>Hello</c> names another protocol version.</summary>
    public const string VersionMismatch = "version-mismatch";

    /// <summary>The peer's <c>Hello</c> states limits outside the protocol's range (a frame limit under 1,024 bytes).</summary>
    public const string BadHello = "bad-hello";

    /// <summary>No <c>Hello</c> arrived within the handshake timeout.</summary>
    public const string HandshakeTimeout = "handshake-timeout";

    /// <summary>The bytes of a frame are not a valid frame (bad protobuf, no known body, an unknown frame kind).</summary>
    public const string MalformedFrame = "malformed-frame";

    /// <summary>A payload does not decode as its target's message type, or hands back an id this side never gave.</summary>
    public const string BadPayload = "bad-payload";

    /// <summary>A <c>LookupReply</c> answers a request this side never made.</summary>
    public const string UnexpectedReply = "unexpected-reply";

    /// <summary>A frame is larger than the receiver's <see cref="NexusOptions.MaxFrameBytes"/>.</summary>
    public const string MaxFrameBytes = nameof(NexusOptions.MaxFrameBytes);

    /// <summary>No frame arrived for the receiver's <see cref="NexusOptions.IdleTimeout"/>.</summary>
    public const string IdleTimeout = nameof(NexusOptions.IdleTimeout);

    /// <summary>Frames for the peer queued past <see cref="NexusOptions.MaxOutboundFrames"/>.</summary>
    public const string MaxOutboundFrames = nameof(NexusOptions.MaxOutboundFrames);

    /// <summary>Bytes for the peer queued past <see cref="NexusOptions.MaxOutboundBytes"/>.</summary>
    public const string MaxOutboundBytes = nameof(NexusOptions.MaxOutboundBytes);

    /// <summary>The peer would make this side publish more than <see cref="NexusOptions.MaxPublications"/> actors.</summary>
    public const string MaxPublications = nameof(NexusOptions.MaxPublications);

    /// <summary>The peer handed over more live actors than <see cref="NexusOptions.MaxProxies"/> (or the nexus-wide <see cref="NexusOptions.MaxProxiesPerNexus"/>).</summary>
    public const string MaxProxies = nameof(NexusOptions.MaxProxies);

    /// <summary>The peer asked for unknown names or ids more than <see cref="NexusOptions.MaxUnknownRequests"/> times.</summary>
    public const string MaxUnknownRequests = nameof(NexusOptions.MaxUnknownRequests);

    /// <summary>A payload is nested deeper than <see cref="NexusOptions.MaxMessageDepth"/>.</summary>
    public const string MaxMessageDepth = nameof(NexusOptions.MaxMessageDepth);

    /// <summary>In a <c>Deliver.Failure</c> only (the portal stays open): the request was refused, <see cref="NexusOptions.MaxPendingReplies"/> replies are pending.</summary>
    public const string MaxPendingReplies = nameof(NexusOptions.MaxPendingReplies);
}
