import { BehaviorSubject, filter, map } from "rxjs";
import type { Observable } from "rxjs";
import type { PortalCloseReason } from "./close-reason.js";
import { connect } from "./connect.js";
import type { ConnectOptions, WebSocketConstructor } from "./connect.js";
import { PortalClosedError } from "./errors.js";
import { resolveOptions } from "./options.js";
import type { Portal } from "./portal.js";

/** How `reconnecting` waits between attempts: exponential backoff with jitter, and when it gives up. */
export interface ReconnectPolicy {
  /** The delay before the first attempt after a loss, in ms (500). */
  initialDelayMs?: number;
  /** The longest delay, in ms (30 s). */
  maxDelayMs?: number;
  /** Each attempt's delay is the previous one's times this (2), up to maxDelayMs. */
  factor?: number;
  /** Each delay is drawn at random from [delay × (1 − jitter), delay], so that many tabs do not come back at once (0.2; 0 to 1). */
  jitter?: number;
  /** Attempts in a row (since the last portal opened) before giving up with `closed` (Infinity: forever; 0: never reconnect). */
  maxAttempts?: number;
  /** Whether a close reason is worth reconnecting after (`reconnectsAfter` by default). */
  when?: (reason: PortalCloseReason) => boolean;
}

/** `connect`'s options, plus the reconnect policy. `signal` stops the whole thing, as `close()` does. */
export interface ReconnectingOptions extends ConnectOptions {
  /** How to back off, and when to give up. */
  reconnect?: ReconnectPolicy;
}

/**
 * Where a reconnecting connection is, for a UI to show:
 * - `connecting`: the first connect is under way;
 * - `connected`: `portal` is open (a new one after each reconnect);
 * - `reconnecting`: the last portal closed (or an attempt failed) for `reason`; attempt number `attempt` starts in
 *   `delayMs` ms (the state stays until that attempt opens a portal or fails);
 * - `closed`: over for good, for `reason`: this side's `close()` (`ClosedLocally`), a reason not worth reconnecting
 *   after, or the last attempt's failure once `maxAttempts` ran out.
 */
export type ConnectionState =
  | { readonly kind: "connecting" }
  | { readonly kind: "connected"; readonly portal: Portal }
  | { readonly kind: "reconnecting"; readonly attempt: number; readonly delayMs: number; readonly reason: PortalCloseReason }
  | { readonly kind: "closed"; readonly reason: PortalCloseReason };

/**
 * The default rule for reconnecting: after the connection was lost, and after the server's `Goodbye` (what a server
 * sends when it shuts down, e.g. to restart), not after a fault, nor after a `Goodbye` for good (`final`: the server
 * turned this client away). So: `ConduitFailed`, `ConduitCompleted`, `ClosedByPeer` (unless `final`), this side's
 * `IdleTimeout` (the server went silent) and a `handshake-timeout` reconnect;
 * `ClosedLocally`, `PeerError`, `ProtocolViolation`, other `LimitExceeded` and other `HandshakeFailed` do not, since
 * the next portal would meet the same fault.
 */
export function reconnectsAfter(reason: PortalCloseReason): boolean {
  switch (reason.kind) {
    case "ConduitFailed":
    case "ConduitCompleted":
      return true;
    case "ClosedByPeer":
      return reason.final !== true;
    case "LimitExceeded":
      return reason.code === "IdleTimeout";
    case "HandshakeFailed":
      return reason.code === "handshake-timeout";
    default:
      return false;
  }
}

/**
 * Connects to a Wormhole server and reconnects with backoff when the connection is lost: an opt-in, as
 * `withAutomaticReconnect` is for SignalR. A portal's references, actors and streams end with its connection (the
 * server sees its actors' references end), so each reconnect opens a new portal: set it up again (lookups,
 * publications) for each one `portals` emits. `states` tells a UI what goes on.
 * @throws TypeError when there is no WebSocket or the URL is not one; RangeError for an option out of its range.
 */
export function reconnecting(url: string | URL, options: ReconnectingOptions = {}): ReconnectingPortal {
  return new ReconnectingPortal(url, options);
}

/** A connection that opens a new portal after each loss; made by `reconnecting`. */
export class ReconnectingPortal {
  /** The state now, and each change; completes after `closed`. */
  readonly states: Observable<ConnectionState>;
  /** Each portal as it opens (a late subscriber gets the open one first); completes after `closed`. */
  readonly portals: Observable<Portal>;
  /** Resolves with the reason once it is over for good (the `closed` state's). */
  readonly closed: Promise<PortalCloseReason>;

  readonly #url: string;
  readonly #options: ReconnectingOptions;
  readonly #policy: Required<ReconnectPolicy>;
  readonly #state = new BehaviorSubject<ConnectionState>({ kind: "connecting" });
  readonly #stop = new AbortController();
  #resolveClosed!: (reason: PortalCloseReason) => void;

  /** @internal Use `reconnecting`. */
  constructor(url: string | URL, options: ReconnectingOptions) {
    const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (Socket === undefined) {
      throw new TypeError("no WebSocket here: pass options.WebSocket (in Node, WebSocket from the 'ws' package)");
    }
    const parsed = parseUrl(String(url));
    if (parsed === undefined || !["ws:", "wss:", "http:", "https:"].includes(parsed.protocol)) {
      throw new TypeError(`not a WebSocket URL: ${String(url)}`);
    }
    resolveOptions(options);
    this.#url = String(url);
    this.#options = options;
    this.#policy = resolvePolicy(options.reconnect);
    this.states = this.#state.asObservable();
    this.portals = this.states.pipe(
      filter((state): state is Extract<ConnectionState, { kind: "connected" }> => state.kind === "connected"),
      map((state) => state.portal),
    );
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    const signal = options.signal;
    if (signal?.aborted) {
      this.#finish({ kind: "ClosedLocally", message: "aborted before connecting" });
      return;
    }
    const onAbort = (): void => void this.close("aborted");
    signal?.addEventListener("abort", onAbort, { once: true });
    void this.closed.then(() => signal?.removeEventListener("abort", onAbort));
    void this.#run();
  }

  /** The state now. */
  get state(): ConnectionState {
    return this.#state.value;
  }

  /** The open portal, or undefined while (re)connecting and once closed. */
  get current(): Portal | undefined {
    const state = this.#state.value;
    return state.kind === "connected" ? state.portal : undefined;
  }

  /**
   * Stops for good: closes the open portal (a `Goodbye` with `reason`) or stops the attempt under way or the wait for
   * the next one. Resolves with the final reason (`ClosedLocally`, unless it was over already).
   */
  close(reason = "closed by the application"): Promise<PortalCloseReason> {
    if (!this.#stop.signal.aborted) {
      const portal = this.current;
      this.#stop.abort();
      this.#finish({ kind: "ClosedLocally", message: reason });
      void portal?.close(reason);
    }
    return this.closed;
  }

  async #run(): Promise<void> {
    const stopped = this.#stop.signal;
    let attempt = 0;
    for (;;) {
      let reason: PortalCloseReason;
      try {
        const portal = await connect(this.#url, { ...this.#options, signal: stopped });
        if (stopped.aborted) {
          void portal.close();
          return;
        }
        attempt = 0;
        this.#state.next({ kind: "connected", portal });
        reason = await portal.closed;
      } catch (error) {
        if (stopped.aborted) {
          return;
        }
        reason =
          error instanceof PortalClosedError
            ? error.reason
            : { kind: "ConduitFailed", message: `connecting failed: ${error instanceof Error ? error.message : String(error)}` };
        if (!(error instanceof PortalClosedError)) {
          return this.#finish(reason); // not the connection: trying again would fail the same way
        }
      }
      if (stopped.aborted) {
        return;
      }
      if (attempt >= this.#policy.maxAttempts || !this.#policy.when(reason)) {
        return this.#finish(reason);
      }
      attempt++;
      const delayMs = backoff(this.#policy, attempt);
      this.#state.next({ kind: "reconnecting", attempt, delayMs, reason });
      await sleep(delayMs, stopped);
      if (stopped.aborted) {
        return;
      }
    }
  }

  #finish(reason: PortalCloseReason): void {
    if (this.#state.value.kind === "closed") {
      return;
    }
    this.#stop.abort();
    this.#state.next({ kind: "closed", reason });
    this.#state.complete();
    this.#resolveClosed(reason);
  }
}

function resolvePolicy(policy: ReconnectPolicy = {}): Required<ReconnectPolicy> {
  const resolved: Required<ReconnectPolicy> = {
    initialDelayMs: policy.initialDelayMs ?? 500,
    maxDelayMs: policy.maxDelayMs ?? 30_000,
    factor: policy.factor ?? 2,
    jitter: policy.jitter ?? 0.2,
    maxAttempts: policy.maxAttempts ?? Infinity,
    when: policy.when ?? reconnectsAfter,
  };
  if (!(resolved.initialDelayMs >= 0)) {
    throw new RangeError(`reconnect.initialDelayMs must be at least 0, not ${resolved.initialDelayMs}`);
  }
  if (!(resolved.maxDelayMs >= resolved.initialDelayMs)) {
    throw new RangeError(`reconnect.maxDelayMs must be at least initialDelayMs (${resolved.initialDelayMs}), not ${resolved.maxDelayMs}`);
  }
  if (!(resolved.factor >= 1)) {
    throw new RangeError(`reconnect.factor must be at least 1, not ${resolved.factor}`);
  }
  if (!(resolved.jitter >= 0 && resolved.jitter <= 1)) {
    throw new RangeError(`reconnect.jitter must be from 0 to 1, not ${resolved.jitter}`);
  }
  if (!(resolved.maxAttempts >= 0)) {
    throw new RangeError(`reconnect.maxAttempts must be at least 0, not ${resolved.maxAttempts}`);
  }
  return resolved;
}

/** The delay before attempt number `attempt` (1, 2, …): initialDelayMs × factor^(attempt − 1), capped, less the jitter. */
function backoff(policy: Required<ReconnectPolicy>, attempt: number): number {
  const full = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (attempt - 1));
  return Math.round(full * (1 - policy.jitter * Math.random()));
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
