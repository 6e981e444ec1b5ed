namespace Wormhole.Streams;

/// <summary>Why a portal closed, in broad strokes; <see cref="PortalCloseReason.Message"/> has the detail.</summary>
public enum PortalCloseKind
{
    /// <summary>This side closed it (<see cref="Portal.CloseAsync(CancellationToken)"/>, or the nexus shut down).</summary>
    ClosedLocally,

    /// <summary>The peer said <c>Goodbye</c>.</summary>
    ClosedByPeer,

    /// <summary>The conduit completed without a <c>Goodbye</c>.</summary>
    ConduitCompleted,

    /// <summary>The conduit failed (connection lost, transport error).</summary>
    ConduitFailed,

    /// <summary>The peer broke the protocol (malformed or unexpected frame, bad payload, unknown id).</summary>
    ProtocolViolation,

    /// <summary>A limit was exceeded (frame size, outbound buffer, …).</summary>
    LimitExceeded,

    /// <summary>The peer sent no <c>Hello</c> within the handshake timeout, or an incompatible one.</summary>
    HandshakeFailed,

    /// <summary>The peer reported an error and closed.</summary>
    PeerError,
}
