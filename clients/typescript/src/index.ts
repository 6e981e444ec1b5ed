// @wormhole/client: the browser and Node client of Wormhole (docs/protocol.md). Connect with `connect`, look actors
// up with `portal.lookup`, publish with `portal.publish` / `portal.anonymous`; messages are protobuf-es types generated
// from the contracts' .proto (WormholeSchema.GetProto on the .NET side).
export type { PortalCloseKind, PortalCloseReason } from "./close-reason.js";
export { connect } from "./connect.js";
export type { ConnectOptions, WebSocketConstructor, WebSocketLike } from "./connect.js";
export {
  AskTimeoutError,
  InvalidReferenceError,
  LimitExceededError,
  PortalClosedError,
  PublicationNotFoundError,
  RemoteFailureError,
  RemoteStreamError,
} from "./errors.js";
export type { Id } from "./ids.js";
export type { AskOptions, RemoteEnd, TellOptions } from "./internals.js";
export { LocalActor } from "./local-actor.js";
export type { Delivery } from "./local-actor.js";
export type { ObservableOverflow, OfferOptions } from "./observable-source.js";
export type { PortalOptions } from "./options.js";
export type { WireRefInit } from "./payloads.js";
export { Portal, protocolVersion } from "./portal.js";
export type { Conduit, PeerHello, PortalCounters } from "./portal.js";
export { ReconnectingPortal, reconnecting, reconnectsAfter } from "./reconnecting.js";
export type { ConnectionState, ReconnectPolicy, ReconnectingOptions } from "./reconnecting.js";
export { RemoteRef } from "./remote-ref.js";
export { ReplyPort } from "./reply-port.js";
export { RemoteStream } from "./remote-stream.js";
export { isTraceparent, maxTraceStateLength, newTraceparent, spanIdOf, traceIdOf } from "./trace.js";
export type { TraceContext } from "./trace.js";
