/**
 * W3C trace context (https://www.w3.org/TR/trace-context/) as it crosses a portal: a `Deliver` frame may carry the
 * sender's `traceparent` and `tracestate`, and the .NET side makes its receive span a child of it (its
 * `NexusOptions.AcceptTraceContext`, true by default). Nothing is sent when no trace is given.
 */
export interface TraceContext {
  /** `00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>`, 55 characters, lowercase. */
  readonly traceparent: string;
  /** Vendor data, at most {@link maxTraceStateLength} characters; optional. */
  readonly tracestate?: string;
}

/** The longest `tracestate` sent or taken (the 512 characters W3C asks every vendor to pass on). */
export const maxTraceStateLength = 512;

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** True when `text` is a version-00 `traceparent` as W3C writes it, neither id all zeros. */
export function isTraceparent(text: string): boolean {
  const match = traceparentPattern.exec(text);
  return match !== null && /[^0]/.test(match[1]!) && /[^0]/.test(match[2]!);
}

/**
 * A new `traceparent`: a new trace with a random trace id and span id (crypto.getRandomValues), or, given a parent, a
 * child in the parent's trace (its trace id and flags, a new span id). `sampled` sets the flags of a new trace.
 */
export function newTraceparent(parent?: string | TraceContext, sampled = true): string {
  const from = typeof parent === "string" ? parent : parent?.traceparent;
  if (from !== undefined) {
    if (!isTraceparent(from)) {
      throw new TypeError(`not a W3C traceparent: '${from.slice(0, 60)}'`);
    }
    return `00-${from.slice(3, 35)}-${randomHex(8)}-${from.slice(53)}`;
  }
  return `00-${randomHex(16)}-${randomHex(8)}-${sampled ? "01" : "00"}`;
}

/** The trace id of a `traceparent` (32 hex characters). */
export function traceIdOf(trace: string | TraceContext): string {
  return (typeof trace === "string" ? trace : trace.traceparent).slice(3, 35);
}

/** The span id of a `traceparent` (16 hex characters): the parent span of what it is sent with. */
export function spanIdOf(trace: string | TraceContext): string {
  return (typeof trace === "string" ? trace : trace.traceparent).slice(36, 52);
}

/** @internal Checks a trace context given to tell, ask or reply. */
export function checkTrace(trace: TraceContext | undefined): void {
  if (trace === undefined) {
    return;
  }
  if (!isTraceparent(trace.traceparent)) {
    throw new TypeError(`not a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>): '${String(trace.traceparent).slice(0, 60)}'`);
  }
  if (trace.tracestate !== undefined && trace.tracestate.length > maxTraceStateLength) {
    throw new TypeError(`a tracestate of ${trace.tracestate.length} characters is over the ${maxTraceStateLength}-character bound`);
  }
}

/**
 * @internal A peer's trace context from a Deliver frame (protobuf-es reads an absent string as ""): undefined when the
 * frame carried none or a malformed one (`malformed` says which); an oversized tracestate is dropped, the traceparent kept.
 */
export function readTrace(traceparent: string, tracestate: string): { trace: TraceContext | undefined; malformed: boolean } {
  if (traceparent === "" && tracestate === "") {
    return { trace: undefined, malformed: false };
  }
  if (!isTraceparent(traceparent)) {
    return { trace: undefined, malformed: true };
  }
  if (tracestate.length > maxTraceStateLength) {
    return { trace: { traceparent }, malformed: true };
  }
  return { trace: tracestate === "" ? { traceparent } : { traceparent, tracestate }, malformed: false };
}

function randomHex(bytes: number): string {
  const random = new Uint8Array(bytes);
  do {
    crypto.getRandomValues(random);
  } while (random.every((b) => b === 0)); // an all-zero id is invalid
  return Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
}
