import type { PortalCloseReason } from "./close-reason.js";

/** The portal closed: what was pending on it (an ask, a lookup) fails with the reason, and so does a call made later. */
export class PortalClosedError extends Error {
  /** Why the portal closed. */
  readonly reason: PortalCloseReason;

  constructor(reason: PortalCloseReason) {
    super(`the portal is closed (${reason.kind}${reason.code ? ` ${reason.code}` : ""}): ${reason.message}`);
    this.name = "PortalClosedError";
    this.reason = reason;
  }
}

/** No reply came within the ask's time. */
export class AskTimeoutError extends Error {
  /** The time the ask waited, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`no reply within ${timeoutMs} ms`);
    this.name = "AskTimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/** The callee answered the ask with a failure (`Deliver.Failure`) instead of a reply. */
export class RemoteFailureError extends Error {
  /** The failure text the peer sent (Wormhole writes `"<exception type>: <message>"`). */
  readonly failure: string;

  constructor(failure: string) {
    super(`the remote side failed: ${failure}`);
    this.name = "RemoteFailureError";
    this.failure = failure;
  }
}

/** A limit refused one request (the portal stays open), e.g. a message whose frame is over the peer's `MaxFrameBytes`. */
export class LimitExceededError extends Error {
  /** The limit's name, e.g. `MaxFrameBytes` or `MaxPendingReplies`. */
  readonly limit: string;

  constructor(limit: string, message: string) {
    super(`${limit}: ${message}`);
    this.name = "LimitExceededError";
    this.limit = limit;
  }
}

/** The peer published nothing under the name looked up. */
export class PublicationNotFoundError extends Error {
  /** The name looked up. */
  readonly publicationName: string;

  constructor(name: string) {
    super(`the peer published nothing under '${name}'`);
    this.name = "PublicationNotFoundError";
    this.publicationName = name;
  }
}

/** A reference in a message cannot be used here: not made by this portal, released, terminated, or of the wrong kind. */
export class InvalidReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidReferenceError";
  }
}

/** A stream the peer produced ended with a code (`failed`, `subscription-timeout`, a limit's name, `protocol-violation`). */
export class RemoteStreamError extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(`the remote stream ended with ${code}${reason ? `: ${reason}` : ""}`);
    this.name = "RemoteStreamError";
  }
}
