import type { PortalCloseKind } from "./close-reason.js";

/**
 * Why this side closes the portal: the close kind, the code the Error frame carries to the peer, a short reason (never
 * exception text), and the WebSocket close status that follows (docs/protocol.md, "Closing a connection").
 */
export class Fault extends Error {
  constructor(
    readonly kind: PortalCloseKind,
    readonly code: string,
    readonly detail: string,
    readonly status: number,
  ) {
    super(`${code}: ${detail}`);
    this.name = "Fault";
  }
}

/** The peer broke the protocol (status 1002). */
export const violation = (code: string, detail: string): Fault => new Fault("ProtocolViolation", code, detail, 1002);

/** The peer exceeded one of this side's limits; the code is the limit's name (status 1009 for MaxFrameBytes, else 1008). */
export const limit = (name: string, detail: string): Fault =>
  new Fault("LimitExceeded", name, detail, name === "MaxFrameBytes" ? 1009 : 1008);

/** The handshake failed (status 1002). */
export const handshake = (code: string, detail: string): Fault => new Fault("HandshakeFailed", code, detail, 1002);
