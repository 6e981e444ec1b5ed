/** The limits and timeouts of a portal; each default is the .NET side's (`NexusOptions`). */
export interface PortalOptions {
  /** The largest frame this side accepts, in bytes, not counting the 4-byte length prefix (1 MiB; 1,024 to 64 MiB). */
  maxFrameBytes?: number;
  /** Closes the portal (`IdleTimeout`) when no frame came for this long, in ms (60 s; at least 300). */
  idleTimeoutMs?: number;
  /** Closes the portal (`handshake-timeout`) when the peer's Hello does not come within this time, in ms (10 s). */
  handshakeTimeoutMs?: number;
  /** The deepest nesting of a received payload (64). */
  maxMessageDepth?: number;
  /** How many remote actors this side holds at once (10,000). */
  maxProxies?: number;
  /** How many actors this side publishes at once, named and anonymous (10,000). */
  maxPublications?: number;
  /** Lookups of unknown names, deliveries to unknown ids and stream frames this side tolerates (100). */
  maxUnknownRequests?: number;
  /** Asks waiting for their reply at once (1,000); past it an ask is refused (LimitExceededError `MaxPendingReplies`). */
  maxPendingReplies?: number;
  /** An ask's time when it states none, in ms (30 s). */
  askTimeoutMs?: number;
  /**
   * The bytes of messages that may wait for the socket (this side's queue and the WebSocket's `bufferedAmount`), 16 MiB;
   * past it a message is refused (LimitExceededError `MaxOutboundBytes`) and the portal stays open.
   */
  maxOutboundBytes?: number;
  /**
   * A stream this side offers (`portal.offer`) that the peer does not open within this time, in ms, ends with
   * `subscription-timeout` (30 s, the .NET side's `StreamSubscriptionTimeout`).
   */
  streamSubscriptionTimeoutMs?: number;
}

/** The options with their defaults filled in. */
export type ResolvedPortalOptions = Required<PortalOptions>;

/** The smallest and largest MaxFrameBytes a side may state (`NexusOptions.MinFrameBytes`, 64 MiB). */
export const minFrameBytes = 1024;
export const maxMaxFrameBytes = 64 * 1024 * 1024;

/** Fills in the defaults and checks the ranges. @throws RangeError for a value out of its range. */
export function resolveOptions(options: PortalOptions = {}): ResolvedPortalOptions {
  const resolved: ResolvedPortalOptions = {
    maxFrameBytes: options.maxFrameBytes ?? 1024 * 1024,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    maxMessageDepth: options.maxMessageDepth ?? 64,
    maxProxies: options.maxProxies ?? 10_000,
    maxPublications: options.maxPublications ?? 10_000,
    maxUnknownRequests: options.maxUnknownRequests ?? 100,
    maxPendingReplies: options.maxPendingReplies ?? 1_000,
    askTimeoutMs: options.askTimeoutMs ?? 30_000,
    maxOutboundBytes: options.maxOutboundBytes ?? 16 * 1024 * 1024,
    streamSubscriptionTimeoutMs: options.streamSubscriptionTimeoutMs ?? 30_000,
  };
  if (!(resolved.maxFrameBytes >= minFrameBytes && resolved.maxFrameBytes <= maxMaxFrameBytes)) {
    throw new RangeError(`maxFrameBytes must be from ${minFrameBytes} to ${maxMaxFrameBytes}, not ${resolved.maxFrameBytes}`);
  }
  if (!(resolved.idleTimeoutMs >= 300)) {
    throw new RangeError(`idleTimeoutMs must be at least 300, not ${resolved.idleTimeoutMs}`);
  }
  for (const key of ["handshakeTimeoutMs", "maxMessageDepth", "maxProxies", "maxPublications", "maxUnknownRequests", "maxPendingReplies", "askTimeoutMs", "maxOutboundBytes", "streamSubscriptionTimeoutMs"] as const) {
    if (!(resolved[key] >= 1)) {
      throw new RangeError(`${key} must be at least 1, not ${resolved[key]}`);
    }
  }
  return resolved;
}
