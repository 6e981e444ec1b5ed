/**
 * Why a portal closed; the names are those of the .NET side's `PortalCloseKind`.
 * - `ClosedLocally`: this side called `close()` (a `Goodbye` was sent).
 * - `ClosedByPeer`: the peer sent a `Goodbye`.
 * - `ConduitCompleted`: the socket ended in order (close status 1000, 1001 or none) without a last frame.
 * - `ConduitFailed`: the socket failed or closed with another status.
 * - `ProtocolViolation`: the peer broke the protocol (this side sent an `Error`).
 * - `LimitExceeded`: the peer exceeded one of this side's limits (this side sent an `Error` naming it).
 * - `HandshakeFailed`: no usable `Hello` (version, limits, timeout).
 * - `PeerError`: the peer sent an `Error`.
 */
export type PortalCloseKind =
  | "ClosedLocally"
  | "ClosedByPeer"
  | "ConduitCompleted"
  | "ConduitFailed"
  | "ProtocolViolation"
  | "LimitExceeded"
  | "HandshakeFailed"
  | "PeerError";

/** The reason a portal closed, as `portal.closed` gives it. */
export interface PortalCloseReason {
  /** What kind of end it was. */
  readonly kind: PortalCloseKind;
  /** The error code sent or received (`docs/protocol.md`, "Error codes"), when there was an `Error` frame. */
  readonly code?: string;
  /** The limit's name (`MaxFrameBytes`, `IdleTimeout`, …) when the code names one. */
  readonly limit?: string;
  /** A short human-readable reason. */
  readonly message: string;
  /**
   * The peer's `Goodbye` said "for good" (a server that turned this client away: .NET's `CloseForGoodAsync`, a TCP
   * listener's refusal): `reconnecting` does not try again. Absent for an ordinary close.
   */
  readonly final?: boolean;
}

/** The codes that name a limit (a `NexusOptions` property on the .NET side). */
export const limitCodes: ReadonlySet<string> = new Set([
  "MaxFrameBytes",
  "MaxMessageDepth",
  "MaxUnknownRequests",
  "MaxStreams",
  "MaxProxies",
  "MaxPublications",
  "MaxOutboundFrames",
  "MaxOutboundBytes",
  "IdleTimeout",
  "MaxPendingReplies",
]);
