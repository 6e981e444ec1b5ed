import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { isObservable } from "rxjs";
import type { Observable } from "rxjs";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { limitCodes } from "./close-reason.js";
import type { PortalCloseReason } from "./close-reason.js";
import {
  AskTimeoutError,
  InvalidReferenceError,
  LimitExceededError,
  PortalClosedError,
  PublicationNotFoundError,
  RemoteFailureError,
  RemoteStreamError,
} from "./errors.js";
import { Fault, handshake, limit, violation } from "./fault.js";
import { prefixedDeliverFrame } from "./deliver-frame.js";
import { checkTrace, readTrace } from "./trace.js";
import type { TraceContext } from "./trace.js";
import { FrameReader, FrameTooLargeError, lengthPrefixed } from "./framing.js";
import { FrameSchema } from "./gen/wormhole_pb.js";
import type { Deliver, DeliverSchema, Frame, Hello, LookupReply, WireId } from "./gen/wormhole_pb.js";
import { idKey, isNoId, portalName, randomId } from "./ids.js";
import type { Id } from "./ids.js";
import type { AskOptions, PortalInternals } from "./internals.js";
import type { LocalActor } from "./local-actor.js";
import { resolveOptions } from "./options.js";
import type { PortalOptions, ResolvedPortalOptions } from "./options.js";
import { Outbox, joinBytes } from "./outbox.js";
import type { WireRefInit } from "./payloads.js";
import { PayloadCodec } from "./payload-codec.js";
import { ReferenceTable } from "./reference-table.js";
import { RemoteRef } from "./remote-ref.js";
import { ReplyPort } from "./reply-port.js";
import { ProducedStream } from "./local-stream.js";
import { observableSource } from "./observable-source.js";
import type { OfferOptions } from "./observable-source.js";
import { ConsumedStream, RemoteStream, endError, maxStreamElementBytes } from "./remote-stream.js";

/** The transport under a portal: one reliable, ordered channel of binary messages (a WebSocket). */
export interface Conduit {
  /** Sends one binary message. */
  send(bytes: Uint8Array): void;
  /** Ends the channel with a WebSocket close status and reason. */
  close(status: number, reason: string): void;
  /** Bytes sent and not yet handed to the network (a WebSocket's `bufferedAmount`), when the transport knows. */
  bufferedBytes?(): number;
}

/** What the peer stated in its Hello. */
export interface PeerHello {
  /** The peer's side id (one per process on a Wormhole side); informational. */
  readonly sideId: Id;
  /** The peer's half of the connection's identity. */
  readonly conduitHalf: Id;
  /** The name Wormhole's logs on the peer give this connection: the first 8 hex digits of the peer's conduit half. */
  readonly portalId: string;
  /** The largest frame the peer accepts (0: not stated). */
  readonly maxFrameBytes: number;
  /** The peer's idle timeout in ms (0: not stated). */
  readonly idleTimeoutMs: number;
}

/** Counters of one portal. */
export interface PortalCounters {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  keepAlivesSent: number;
  /** Lookups of unknown names, deliveries to unknown ids and stream frames received (closes past maxUnknownRequests). */
  unknownRequests: number;
  /** Streams the peer offered in messages that were not opened (portal.stream) in the turn they arrived: cancelled. */
  streamsCancelled: number;
  /** Of those, the ones whose StreamEnd came back. */
  cancelledStreamsEnded: number;
  /** Elements offered Observables dropped under `DropOldest` / `DropNewest` (the .NET side's `Dropped`). */
  dropped: number;
  /** Trace contexts from the peer that were malformed or oversized: ignored (the message itself is delivered). */
  ignoredTraceContexts: number;
}

/** The protocol version this client speaks. */
export const protocolVersion = 1;

/** One side id per page (per process in Node), as a Wormhole nexus has one per actor system. */
const sideId = randomId();

/** Streams the peer may have offered and not yet ended (the .NET side's MaxStreams default). */
const maxStreams = 100;

/** A delivery's one-shot sender may be held at most this long (the .NET side's SenderReplyTimeout). */
const maxSenderReplyMs = 60_000;

interface PendingAsk {
  readonly replySchema: DescMessage;
  readonly resolve: (value: never) => void;
  readonly reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Aborted by its signal: the port stays open until its deadline, and a late answer is dropped, not unknown. */
  abandoned: boolean;
  readonly onReplyTrace: ((trace: TraceContext) => void) | undefined;
}

interface PendingLookup {
  readonly name: string;
  readonly schema: DescMessage;
  resolve: ((ref: RemoteRef<DescMessage>) => void) | undefined; // undefined once abandoned (aborted)
  reject: ((error: unknown) => void) | undefined;
  cleanup: () => void;
}

/**
 * One end of one connection to a Wormhole peer: what this side published to the peer and the references to what the
 * peer published. Made by `connect`; closes once (`close()`, the peer's Goodbye or Error, a limit, the socket's end) and
 * says why in `closed`.
 */
export class Portal {
  /** Resolves (never rejects) with the reason once the portal has closed. */
  readonly closed: Promise<PortalCloseReason>;
  /** This side's limits and timeouts. */
  readonly options: Readonly<ResolvedPortalOptions>;
  /** Counters, for tests and diagnostics. */
  readonly counters: PortalCounters = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, keepAlivesSent: 0, unknownRequests: 0, streamsCancelled: 0, cancelledStreamsEnded: 0, dropped: 0, ignoredTraceContexts: 0 };
  /** This side's half of the connection's identity. */
  readonly conduitHalf: Id = randomId();

  /** @internal Resolves when the handshake is done; rejects with PortalClosedError if the portal closes first. */
  readonly opened: Promise<void>;

  #state: "new" | "handshaking" | "open" | "closed" = "new";
  #closeReason: PortalCloseReason | undefined;
  #peer: PeerHello | undefined;
  readonly #conduit: Conduit;
  readonly #reader: FrameReader;
  readonly #outbox = new Outbox();
  #flushScheduled = false;
  #lastSent = 0;
  #lastReceived = 0;
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  #tickTimer: ReturnType<typeof setInterval> | undefined;
  #resolveClosed!: (reason: PortalCloseReason) => void;
  #resolveOpened!: () => void;
  #rejectOpened!: (error: unknown) => void;

  readonly #table: ReferenceTable;
  readonly #codec: PayloadCodec;
  readonly #asks = new Map<string, PendingAsk>();
  /** Streams the peer offered (StreamRef fields), until their StreamEnd. */
  readonly #consumed = new Map<string, ConsumedStream>();
  /** Streams offered in this turn and not yet asked for: cancelled at the end of the turn unless portal.stream opened them. */
  readonly #offeredThisTurn: ConsumedStream[] = [];
  /** Streams this side offers (portal.offer), until their StreamEnd. */
  readonly #produced = new Map<string, ProducedStream>();
  /** The last 1,024 streams this side produced that ended: a late Demand or StreamCancel for them is ignored. */
  readonly #recentlyEnded = new Set<string>();
  readonly #lookups = new Map<bigint, PendingLookup>();
  #nextRequestId = 1n;
  readonly #internals: PortalInternals;

  /** @internal Use `connect`. */
  constructor(conduit: Conduit, options?: PortalOptions) {
    this.options = Object.freeze(resolveOptions(options));
    this.#conduit = conduit;
    this.#reader = new FrameReader(this.options.maxFrameBytes);
    this.#table = new ReferenceTable(this.options.maxProxies, this.options.maxPublications, (entry) => {
      if (this.#state === "open") {
        this.#send({ subtype: { case: "Release", value: { Id: wireId(entry.id), Count: BigInt(entry.count) } } });
      }
    });
    this.#codec = new PayloadCodec(
      this.#table,
      this.options.maxMessageDepth,
      (key) => this.#asks.has(key),
      (stream) => this.#onOffered(stream),
      (stream) => this.#offering(stream),
    );
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.opened = new Promise((resolve, reject) => {
      this.#resolveOpened = resolve;
      this.#rejectOpened = reject;
    });
    this.opened.catch(() => undefined); // connect reports it; nobody else has to
    this.#internals = {
      assertOpen: () => this.#assertOpen(),
      tell: (target, schema, message, trace) => this.#tell(target, schema, message, trace),
      ask: (target, schema, replySchema, build, askOptions) => this.#ask(target, schema, replySchema, build, undefined, askOptions),
      askSender: (target, schema, message, replySchema, askOptions) =>
        this.#ask(target, schema, replySchema, () => message, "sender", askOptions),
      fail: (target, failure, trace) => this.#fail(target, failure, trace),
      release: (entry) => this.#table.release(entry),
      trackHandle: (handle, entry) => this.#table.trackHandle(handle, entry),
      closeLocal: (key) => this.#closeLocal(key),
    };
  }

  /** True after the handshake and before the portal closed. */
  get isOpen(): boolean {
    return this.#state === "open";
  }

  /** What the peer stated in its Hello (undefined before the handshake). */
  get peer(): PeerHello | undefined {
    return this.#peer;
  }

  /** The reason the portal closed, or undefined while it is open. */
  get closeReason(): PortalCloseReason | undefined {
    return this.#closeReason;
  }

  /**
   * Looks up the actor the peer published under `name`; the reference sends messages of type `schema` (the peer
   * decodes them as the type it published the actor with).
   * Rejects with PublicationNotFoundError, PortalClosedError, or the signal's reason.
   */
  lookup<D extends DescMessage>(name: string, schema: D, options?: { signal?: AbortSignal }): Promise<RemoteRef<D>> {
    return new Promise<RemoteRef<D>>((resolve, reject) => {
      this.#assertOpen();
      const signal = options?.signal;
      signal?.throwIfAborted();
      const requestId = this.#nextRequestId++;
      const onAbort = (): void => {
        pending.resolve = undefined;
        pending.reject = undefined;
        reject(signal?.reason);
      };
      const pending: PendingLookup = {
        name,
        schema,
        resolve: resolve as (ref: RemoteRef<DescMessage>) => void,
        reject,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      };
      this.#send({ subtype: { case: "Lookup", value: { RequestId: requestId, Name: name } } });
      this.#lookups.set(requestId, pending);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Publishes a local actor under `name` on this portal: the peer can look it up; its messages are decoded as `schema`.
   * @throws Error when the name is taken; LimitExceededError past maxPublications; PortalClosedError.
   */
  publish<D extends DescMessage>(name: string, schema: D): LocalActor<D> {
    this.#assertOpen();
    return this.#table.newLocal(this.#internals, schema, name);
  }

  /**
   * A local actor without a name: the peer reaches it once this side puts its `ref` in a message. Its id stays
   * valid while the peer holds it (until the peer's Release); `close()` ends it.
   */
  anonymous<D extends DescMessage>(schema: D): LocalActor<D> {
    this.#assertOpen();
    return this.#table.newLocal(this.#internals, schema, undefined);
  }

  /**
   * The working reference for a reference field of a received message (an `ActorRef<T>` the peer handed over);
   * the same remote id always leads to the same actor.
   * @throws InvalidReferenceError when the field is empty, a reply port (use `replyPort`), this side's own actor (use
   * `local`), or was not received on this portal (or was released).
   */
  remote<D extends DescMessage>(ref: WireRefInit | undefined, schema: D): RemoteRef<D> {
    if (ref === undefined || isNoId(ref.High, ref.Low)) {
      throw new InvalidReferenceError("the reference field is empty");
    }
    if (ref.Yours === true) {
      throw new InvalidReferenceError("this is one of this side's own actors, handed back: use portal.local(ref)");
    }
    if ((ref.WithinMs ?? 0) > 0) {
      throw new InvalidReferenceError("this is a reply port: use portal.replyPort(ref)");
    }
    const entry = this.#table.entryOf(ref, idKey(ref.High, ref.Low));
    if (entry === undefined || entry.state === "released") {
      throw new InvalidReferenceError("this reference was not received on this portal, or was released");
    }
    return new RemoteRef(this.#internals, entry, schema);
  }

  /** The reply port in a reference field of a received message (a `ReplyPort<T>`): answer it once before its deadline. */
  replyPort(ref: WireRefInit | undefined): ReplyPort {
    if (ref === undefined || isNoId(ref.High, ref.Low)) {
      throw new InvalidReferenceError("the reply port field is empty");
    }
    if (ref.Yours === true) {
      throw new InvalidReferenceError("this is one of this side's own actors, not the peer's reply port");
    }
    // WithinMs 0 (or absent) on a reply port means 1 ms: as good as expired.
    return new ReplyPort(this.#internals, { high: ref.High, low: ref.Low }, Date.now() + Math.max(1, ref.WithinMs ?? 0));
  }

  /**
   * The stream in a stream field (`StreamRef`) of a message received on this portal, read as `schema` (the element
   * type the field's comment names). Call it in the turn the message arrived (in the handler, or right after the
   * `await` that got the message): a stream not asked for by the end of that turn is cancelled.
   * @throws InvalidReferenceError when the field is empty, the stream was not received on this portal, was already
   * asked for, or was cancelled.
   */
  stream<D extends DescMessage>(ref: WireRefInit | undefined, schema: D): RemoteStream<D> {
    if (ref === undefined || isNoId(ref.High, ref.Low)) {
      throw new InvalidReferenceError("the stream field is empty");
    }
    const consumed = this.#consumed.get(idKey(ref.High, ref.Low));
    if (consumed === undefined || consumed.state !== "announced" || consumed.port !== undefined) {
      throw new InvalidReferenceError("this stream was not received on this portal, was already asked for, or was cancelled (not opened in the turn it arrived)");
    }
    const wire = { High: ref.High, Low: ref.Low };
    consumed.port = {
      demand: (credit, creditBytes) => {
        if (this.#state === "open") {
          this.#send({ subtype: { case: "Demand", value: { Stream: wire, Credit: credit, CreditBytes: creditBytes } } });
        }
      },
      cancel: (code) => {
        if (this.#state === "open") {
          this.#send({ subtype: { case: "StreamCancel", value: { Stream: wire, Code: code } } });
        }
      },
      decode: (bytes) => this.#codec.decode(schema, bytes),
    };
    return new RemoteStream(schema, consumed);
  }

  /**
   * Offers `source` as a stream of `schema` elements: put the returned `StreamRef` in a stream field of a message to
   * the server (an `IAsyncEnumerable<T>` there). The source is started by the server's first Demand and read only
   * within the credit the server grants; its end or failure travels as StreamEnd; the server's StreamCancel (or the
   * portal's close) stops it with `return()`. Each offer goes in one message, once.
   *
   * An RxJS `Observable` is subscribed at the first Demand; since it pushes whether or not the server granted credit,
   * what it pushes ahead of the credit waits in a buffer of `options.bufferSize` elements (1,024), and a push into a
   * full buffer does what `options.overflow` says (`FailStream`: unsubscribe, send what is buffered, then end the
   * stream with the code `ObservableBufferSize`). Unsubscribed on the server's cancel or the portal's close.
   *
   * A stream the server does not open (no Demand) within `streamSubscriptionTimeoutMs` of the message's sending ends
   * with `subscription-timeout`, its source untouched; an offer not sent in a message within that time is forgotten.
   * @throws RangeError for a bufferSize under 1; PortalClosedError.
   */
  offer<D extends DescMessage>(source: AsyncIterable<MessageInitShape<D>> | Observable<MessageInitShape<D>>, schema: D, options?: OfferOptions): WireRefInit {
    this.#assertOpen();
    const iterable = isObservable(source) ? observableSource(source, options, () => this.counters.dropped++) : source;
    const id = randomId();
    const key = idKey(id.high, id.low);
    const wire = { High: id.high, Low: id.low };
    const produced = new ProducedStream(key, wire, schema, iterable, {
      encode: (value) => this.#codec.encode(schema, value as MessageInitShape<D>),
      items: (firstSeq, item) => {
        if (this.#state === "open") {
          this.#send({ subtype: { case: "StreamItems", value: { Stream: wire, FirstSeq: BigInt(firstSeq), Items: [item] } } });
        }
      },
      end: (count, code, reason) => {
        this.#produced.delete(key);
        this.#recentlyEnded.add(key);
        if (this.#recentlyEnded.size > 1024) {
          this.#recentlyEnded.delete(this.#recentlyEnded.values().next().value!);
        }
        if (this.#state === "open") {
          this.#send({ subtype: { case: "StreamEnd", value: { Stream: wire, Count: BigInt(count), Code: code, Reason: reason } } });
        }
      },
      forget: () => this.#produced.delete(key),
    }, this.options.streamSubscriptionTimeoutMs);
    this.#produced.set(key, produced);
    return wire;
  }

  /** A StreamRef in an outgoing message: one this portal's offer made and not yet sent; committing marks it offered. */
  #offering(ref: WireRefInit): () => void {
    const produced = this.#produced.get(idKey(ref.High, ref.Low));
    if (produced === undefined || produced.state !== "prepared") {
      throw new InvalidReferenceError("a stream in the message was not made by this portal's offer, or was already sent");
    }
    return () => produced.offered();
  }

  /** The local actor a received reference names when the peer handed one of this side's actors back (`Yours = true`). */
  local(ref: WireRefInit | undefined): LocalActor<DescMessage> | undefined {
    if (ref === undefined || ref.Yours !== true) {
      return undefined;
    }
    return this.#table.local(idKey(ref.High, ref.Low));
  }

  /**
   * Closes the portal in order: a Goodbye with `reason` as the last frame, then the socket closes (status 1000).
   * Everything pending fails with PortalClosedError. Resolves with the close reason (the first one, if it was closed).
   */
  close(reason = "closed by the application"): Promise<PortalCloseReason> {
    if (this.#state !== "closed") {
      if (this.#state !== "new") {
        this.#enqueue({ subtype: { case: "Goodbye", value: { Reason: reason } } });
        this.#flush();
      }
      this.#endConduit(1000, reason);
      this.#finish({ kind: "ClosedLocally", message: reason });
    }
    return this.closed;
  }

  // ---- the conduit's events (called by connect) ----

  /** @internal The conduit is open: say Hello and wait for the peer's. */
  start(): void {
    if (this.#state !== "new") {
      return;
    }
    this.#state = "handshaking";
    const now = performance.now();
    this.#lastReceived = now;
    this.#send({
      subtype: {
        case: "Hello",
        value: {
          ProtocolVersion: protocolVersion,
          SideId: wireId(sideId),
          ConduitHalf: wireId(this.conduitHalf),
          MaxFrameBytes: this.options.maxFrameBytes,
          IdleTimeoutMs: this.options.idleTimeoutMs,
        },
      },
    });
    this.#handshakeTimer = unref(
      setTimeout(
        () => this.#abort(handshake("handshake-timeout", `no Hello within ${this.options.handshakeTimeoutMs} ms`)),
        this.options.handshakeTimeoutMs,
      ),
    );
  }

  /** @internal One binary message from the conduit: one or more whole or partial length-prefixed frames. */
  receive(bytes: Uint8Array): void {
    if (this.#state === "closed" || this.#state === "new") {
      return;
    }
    try {
      if (bytes.length > Math.max(joinBytes, this.options.maxFrameBytes + 4)) {
        throw limit("MaxFrameBytes", `a WebSocket message of ${bytes.length} bytes is over the limit`);
      }
      this.#lastReceived = performance.now();
      this.counters.bytesIn += bytes.length;
      let frames: Uint8Array[];
      try {
        frames = this.#reader.push(bytes);
      } catch (error) {
        if (error instanceof FrameTooLargeError) {
          throw limit("MaxFrameBytes", `a frame of ${error.announced} bytes is over the limit of ${this.options.maxFrameBytes}`);
        }
        throw error;
      }
      for (const frame of frames) {
        if (this.#closeReason !== undefined) {
          return;
        }
        this.counters.framesIn++;
        this.#onFrame(frame);
      }
    } catch (error) {
      this.#abort(
        error instanceof Fault ? error : violation("malformed-frame", `a frame could not be handled (${describe(error)})`),
      );
    }
  }

  /** @internal A text message: not the protocol (closes with status 1003). */
  receiveText(): void {
    if (this.#state === "closed" || this.#state === "new") {
      return;
    }
    // As the .NET side does (docs/protocol.md, "Framing"): the socket closes at once with 1003, no Error frame.
    const message = "a text message: the protocol sends binary messages only";
    this.#outbox.clear();
    this.#endConduit(1003, message);
    this.#finish({ kind: "ProtocolViolation", message });
  }

  /** @internal The conduit ended (the socket's close event). */
  conduitClosed(status: number, reason: string): void {
    if (this.#state === "closed") {
      return;
    }
    const orderly = status === 1000 || status === 1001 || status === 1005;
    this.#finish(
      orderly
        ? { kind: "ConduitCompleted", message: "the peer went away without a Goodbye" }
        : { kind: "ConduitFailed", message: `the connection failed (WebSocket status ${status}${reason ? `: ${reason}` : ""})` },
    );
  }

  // ---- inbound ----

  #onFrame(bytes: Uint8Array): void {
    let frame: Frame;
    try {
      frame = fromBinary(FrameSchema, bytes, { readUnknownFields: false });
    } catch {
      throw this.#state === "handshaking"
        ? violation("hello-expected", "the first frame must be Hello")
        : violation("malformed-frame", "a frame that is not valid protobuf");
    }
    const body = frame.subtype;
    if (this.#state === "handshaking") {
      if (body.case === "Hello") {
        this.#onHello(body.value);
      } else if (body.case === "Error") {
        this.#onPeerError(body.value.Code, body.value.Message);
      } else {
        throw violation("hello-expected", "the first frame must be Hello");
      }
      return;
    }
    switch (body.case) {
      case "Hello":
        throw violation("duplicate-hello", "a second Hello");
      case "Lookup":
        return this.#onLookup(body.value.RequestId, body.value.Name);
      case "LookupReply":
        return this.#onLookupReply(body.value);
      case "Deliver":
        return this.#onDeliver(body.value);
      case "Terminated":
        return this.#onTerminated(body.value.Id);
      case "Release":
        return this.#onRelease(body.value.Id, body.value.Count);
      case "Error":
        return this.#onPeerError(body.value.Code, body.value.Message);
      case "Goodbye":
        this.#endConduit(1000, "");
        return this.#finish({
          kind: "ClosedByPeer",
          message: body.value.Reason || "the peer said goodbye",
          ...(body.value.Final ? { final: true } : {}),
        });
      case "KeepAlive":
        return;
      case "StreamItems":
        return this.#onStreamItems(body.value.Stream, body.value.FirstSeq, body.value.Items);
      case "StreamEnd":
        return this.#onStreamEnd(body.value.Stream, body.value.Count, body.value.Code, body.value.Reason);
      case "Demand":
      case "StreamCancel": {
        const key = streamKey(body.value.Stream);
        const produced = this.#produced.get(key);
        if (produced !== undefined && produced.state !== "prepared") {
          return body.case === "Demand" ? produced.demand(body.value.Credit, body.value.CreditBytes) : produced.stop(true);
        }
        return this.#recentlyEnded.has(key) ? undefined : this.#unknown();
      }
      default:
        throw violation("malformed-frame", "a frame of no known kind");
    }
  }

  #onHello(hello: Hello): void {
    if (hello.ProtocolVersion !== protocolVersion) {
      throw handshake("version-mismatch", `protocol version ${hello.ProtocolVersion}; this side speaks ${protocolVersion}`);
    }
    if (hello.MaxFrameBytes > 0 && hello.MaxFrameBytes < 1024) {
      throw handshake("bad-hello", `MaxFrameBytes ${hello.MaxFrameBytes} is under 1,024`);
    }
    this.#peer = {
      sideId: toId(hello.SideId),
      conduitHalf: toId(hello.ConduitHalf),
      portalId: portalName(toId(hello.ConduitHalf)),
      maxFrameBytes: hello.MaxFrameBytes,
      idleTimeoutMs: hello.IdleTimeoutMs,
    };
    clearTimeout(this.#handshakeTimer);
    this.#state = "open";
    const idle = Math.min(this.options.idleTimeoutMs, hello.IdleTimeoutMs > 0 ? hello.IdleTimeoutMs : this.options.idleTimeoutMs);
    const tick = Math.max(1, idle / 6);
    this.#tickTimer = unref(setInterval(() => this.#onTick(tick), tick));
    this.#resolveOpened();
  }

  #onTick(tick: number): void {
    if (this.#state !== "open") {
      return;
    }
    const now = performance.now();
    if (now - this.#lastReceived >= this.options.idleTimeoutMs) {
      this.#abort(limit("IdleTimeout", `no frame for ${this.options.idleTimeoutMs} ms`));
      return;
    }
    if (now - this.#lastSent >= 2 * tick) {
      this.counters.keepAlivesSent++;
      this.#send({ subtype: { case: "KeepAlive", value: {} } });
    }
  }

  #onPeerError(code: string, message: string): void {
    this.#endConduit(1000, "");
    this.#finish({
      kind: "PeerError",
      code,
      ...(limitCodes.has(code) ? { limit: code } : {}),
      message: `the peer reported '${code}': ${message}`,
    });
  }

  #onLookup(requestId: bigint, name: string): void {
    const actor = this.#table.named(name);
    if (actor === undefined) {
      this.#send({ subtype: { case: "LookupReply", value: { RequestId: requestId, ActorId: {} } } });
      this.#unknown();
      return;
    }
    actor.sent++;
    this.#send({ subtype: { case: "LookupReply", value: { RequestId: requestId, ActorId: wireId(actor.id) } } });
  }

  #onLookupReply(reply: LookupReply): void {
    const pending = this.#lookups.get(reply.RequestId);
    if (pending === undefined) {
      throw violation("unexpected-reply", `a LookupReply for request ${reply.RequestId}, which this side never sent`);
    }
    const id = reply.ActorId;
    const entry = id === undefined || isNoId(id.High, id.Low) ? undefined : this.#table.acquire(toId(id));
    this.#lookups.delete(reply.RequestId);
    pending.cleanup();
    if (entry === undefined) {
      pending.reject?.(new PublicationNotFoundError(pending.name));
      return;
    }
    if (pending.resolve === undefined) {
      this.#table.release(entry); // the lookup was abandoned: give the id back at once
      return;
    }
    pending.resolve(new RemoteRef(this.#internals, entry, pending.schema));
  }

  #onDeliver(deliver: Deliver): void {
    const target = deliver.Target;
    if (target === undefined || isNoId(target.High, target.Low)) {
      return this.#unknown();
    }
    const key = idKey(target.High, target.Low);
    const { trace, malformed } = readTrace(deliver.TraceParent, deliver.TraceState);
    if (malformed) {
      this.counters.ignoredTraceContexts++;
    }
    const ask = this.#asks.get(key);
    if (ask !== undefined) {
      if (trace !== undefined && !ask.abandoned) {
        ask.onReplyTrace?.(trace);
      }
      if (deliver.Failure !== "") {
        this.#settleAsk(key);
        ask.reject(new RemoteFailureError(deliver.Failure));
        return;
      }
      // Decoded even when abandoned: the references in it are taken in, and released once the reply is collected.
      const reply = this.#codec.decode(ask.replySchema, deliver.Payload);
      this.#settleAsk(key);
      if (!ask.abandoned) {
        ask.resolve(reply as never);
      }
      return;
    }
    const actor = this.#table.local(key);
    if (actor === undefined || !this.#table.routable(actor)) {
      return this.#unknown();
    }
    if (deliver.Failure !== "") {
      return; // a failure is an answer to a reply port; an actor has nothing to do with it
    }
    const message = this.#codec.decode(actor.schema, deliver.Payload);
    let sender: ReplyPort | undefined;
    const replyTo = deliver.ReplyTo;
    if (replyTo !== undefined && !isNoId(replyTo.High, replyTo.Low)) {
      if (deliver.ReplyWithinMs > 0) {
        sender = new ReplyPort(this.#internals, toId(replyTo), Date.now() + Math.min(deliver.ReplyWithinMs, maxSenderReplyMs), trace);
      } else {
        // A plain tell's sender: a lasting publication of the peer, released like any reference received.
        const entry = this.#table.acquire(toId(replyTo));
        sender = new ReplyPort(this.#internals, entry.id, undefined, trace);
        this.#table.trackHandle(sender, entry);
      }
    }
    actor.deliver({ message, ...(sender === undefined ? {} : { sender }), ...(trace === undefined ? {} : { trace }) });
  }

  #onTerminated(id: WireId | undefined): void {
    if (id === undefined) {
      return;
    }
    this.#table.terminated(idKey(id.High, id.Low));
  }

  #onRelease(id: WireId | undefined, count: bigint): void {
    if (id === undefined) {
      return;
    }
    const actor = this.#table.local(idKey(id.High, id.Low));
    if (actor !== undefined && actor.name === undefined) {
      actor.sent = Math.max(0, actor.sent - Number(count));
    }
  }

  /** A request for something this side does not have: counted; past maxUnknownRequests the portal closes. */
  #unknown(): void {
    if (++this.counters.unknownRequests > this.options.maxUnknownRequests) {
      throw limit("MaxUnknownRequests", `more than ${this.options.maxUnknownRequests} requests for unknown names, ids or streams`);
    }
  }

  /**
   * A stream the peer offered in a message: announced, counted toward MaxStreams until its StreamEnd. Unless the
   * receiving code opens it with portal.stream in the same turn, it is cancelled at the end of the turn (the producer
   * answers with StreamEnd{cancelled}), so an unread stream never waits for the producer's subscription timeout.
   */
  #onOffered(ref: WireRefInit): void {
    if (isNoId(ref.High, ref.Low) || ref.Yours === true) {
      throw violation("bad-payload", ref.Yours === true ? "a StreamRef with Yours = true" : "a StreamRef with an empty id");
    }
    const key = idKey(ref.High, ref.Low);
    if (this.#consumed.has(key)) {
      throw violation("bad-payload", "a StreamRef for a stream already offered");
    }
    if (this.#consumed.size >= maxStreams) {
      throw limit("MaxStreams", `the peer offered more than ${maxStreams} streams`);
    }
    const consumed = new ConsumedStream(key, { High: ref.High, Low: ref.Low });
    this.#consumed.set(key, consumed);
    if (this.#offeredThisTurn.push(consumed) === 1) {
      setTimeout(() => this.#endTurn(), 0);
    }
  }

  /** The turn in which streams were offered is over: those nobody asked for are cancelled. */
  #endTurn(): void {
    for (const consumed of this.#offeredThisTurn.splice(0)) {
      if (consumed.port === undefined && consumed.state === "announced" && this.#state === "open") {
        consumed.state = "cancelling";
        consumed.end({ kind: "failed", error: new InvalidReferenceError("the stream was not opened in the turn it arrived") });
        this.counters.streamsCancelled++;
        this.#send({ subtype: { case: "StreamCancel", value: { Stream: { High: consumed.id.High, Low: consumed.id.Low }, Code: "cancelled" } } });
      }
    }
  }

  #onStreamItems(id: WireId | undefined, firstSeq: bigint, items: Uint8Array[]): void {
    const consumed = this.#consumed.get(streamKey(id));
    if (consumed === undefined) {
      return this.#unknown();
    }
    if (consumed.state === "cancelling") {
      return; // items already on their way when this side cancelled: dropped
    }
    if (consumed.state !== "open" || consumed.port === undefined) {
      return this.#streamViolation(consumed, "elements before the first Demand");
    }
    if (firstSeq !== BigInt(consumed.received)) {
      return this.#streamViolation(consumed, `FirstSeq ${firstSeq} after ${consumed.received} elements`);
    }
    if (items.length > consumed.credit - consumed.received) {
      return this.#streamViolation(consumed, "more elements than the credit leaves room for");
    }
    for (const item of items) {
      if (consumed.receivedBytes >= consumed.creditBytes) {
        return this.#streamViolation(consumed, "an element beyond the credit in bytes");
      }
      if (item.length > maxStreamElementBytes) {
        return this.#streamViolation(consumed, `an element of ${item.length} bytes, over MaxStreamElementBytes`);
      }
      let value: unknown;
      try {
        value = consumed.port.decode(item);
      } catch (error) {
        if (error instanceof Fault && error.code === "bad-payload") {
          return this.#streamViolation(consumed, "an element that does not decode as the stream's type");
        }
        throw error;
      }
      consumed.received++;
      consumed.receivedBytes += item.length;
      consumed.push(value, item.length);
    }
  }

  #onStreamEnd(id: WireId | undefined, count: bigint, code: string, reason: string): void {
    const key = streamKey(id);
    const consumed = this.#consumed.get(key);
    if (consumed === undefined) {
      return this.#unknown();
    }
    this.#consumed.delete(key);
    const state = consumed.state;
    consumed.state = "gone";
    if (state === "cancelling") {
      this.counters.cancelledStreamsEnded++;
      consumed.end({ kind: "completed" });
    } else if (code !== "") {
      consumed.end({ kind: "failed", error: endError(code, reason) });
    } else if (count !== BigInt(consumed.received)) {
      consumed.end({ kind: "failed", error: new RemoteStreamError("protocol-violation", `StreamEnd counts ${count} elements; ${consumed.received} came`) });
      this.#unknown();
    } else {
      consumed.end({ kind: "completed" });
    }
  }

  /** A stream broke the rules: its reader fails, the producer is told to stop, and it counts toward MaxUnknownRequests. */
  #streamViolation(consumed: ConsumedStream, detail: string): void {
    consumed.end({ kind: "failed", error: new RemoteStreamError("protocol-violation", detail) });
    consumed.state = "cancelling";
    this.#send({ subtype: { case: "StreamCancel", value: { Stream: { High: consumed.id.High, Low: consumed.id.Low }, Code: "protocol-violation" } } });
    this.#unknown();
  }

  // ---- outbound ----

  #assertOpen(): void {
    if (this.#state === "closed") {
      throw new PortalClosedError(this.#closeReason!);
    }
    if (this.#state !== "open") {
      throw new Error("the portal is not open yet");
    }
  }

  #closeLocal(key: string): void {
    const actor = this.#table.removeLocal(key);
    if (actor === undefined) {
      return;
    }
    if (this.#state === "open" && actor.sent > 0) {
      this.#send({ subtype: { case: "Terminated", value: { Id: wireId(actor.id) } } });
    }
    actor.complete();
  }

  #tell<D extends DescMessage>(target: Id, schema: D, message: MessageInitShape<D>, trace?: TraceContext): void {
    this.#assertOpen();
    checkTrace(trace);
    const payload = this.#codec.encode(schema, message);
    this.#sendPrefixed(this.#fitted(trace, (fitted) => prefixedDeliverFrame(target, payload.bytes, fitted)), true, payload.commit);
  }

  #fail(target: Id, failure: string, trace?: TraceContext): void {
    this.#assertOpen();
    checkTrace(trace);
    this.#sendDeliver({ Target: wireId(target), Failure: failure || "failed" }, trace);
  }

  #ask<D extends DescMessage, R extends DescMessage>(
    target: Id,
    schema: D,
    replySchema: R,
    build: (port: WireRefInit) => MessageInitShape<D>,
    form: "sender" | undefined,
    options: AskOptions | undefined,
  ): Promise<MessageShape<R>> {
    return new Promise<MessageShape<R>>((resolve, reject) => {
      this.#assertOpen();
      if (this.#asks.size >= this.options.maxPendingReplies) {
        throw new LimitExceededError("MaxPendingReplies", `${this.options.maxPendingReplies} asks wait for their reply already`);
      }
      const signal = options?.signal;
      signal?.throwIfAborted();
      checkTrace(options?.trace);
      const timeoutMs = Math.min(Math.max(1, Math.round(options?.timeoutMs ?? this.options.askTimeoutMs)), 0x7fffffff);
      const id = randomId();
      const key = idKey(id.high, id.low);
      const pending: PendingAsk = { replySchema, resolve: resolve as (value: never) => void, reject, timer: undefined, signal, onAbort: undefined, abandoned: false, onReplyTrace: options?.onReplyTrace };
      this.#asks.set(key, pending);
      try {
        const message = build({ High: id.high, Low: id.low, Yours: false, WithinMs: timeoutMs });
        const payload = this.#codec.encode(schema, message);
        this.#sendDeliver(
          {
            Target: wireId(target),
            Payload: payload.bytes,
            ...(form === "sender" ? { ReplyTo: wireId(id), ReplyWithinMs: timeoutMs } : {}),
          },
          options?.trace,
          payload.commit,
        );
      } catch (error) {
        this.#asks.delete(key);
        throw error;
      }
      pending.timer = setTimeout(() => {
        this.#settleAsk(key);
        reject(new AskTimeoutError(timeoutMs));
      }, timeoutMs);
      if (signal !== undefined) {
        pending.onAbort = () => {
          // The peer may still answer before the deadline it was given: keep the port until then, as abandoned.
          pending.abandoned = true;
          reject(signal.reason);
        };
        signal.addEventListener("abort", pending.onAbort, { once: true });
      }
    });
  }

  #settleAsk(key: string): void {
    const pending = this.#asks.get(key);
    if (pending === undefined) {
      return;
    }
    this.#asks.delete(key);
    clearTimeout(pending.timer);
    if (pending.onAbort !== undefined) {
      pending.signal?.removeEventListener("abort", pending.onAbort);
    }
  }

  /** The largest frame this side may send: the peer's MaxFrameBytes when stated, never more than its own. */
  #outboundLimit(): number {
    const peer = this.#peer?.maxFrameBytes ?? 0;
    return peer > 0 ? Math.min(peer, this.options.maxFrameBytes) : this.options.maxFrameBytes;
  }

  /**
   * Encodes and queues a Deliver with its trace context, or, when the frame would be over the peer's limit only with
   * it, without its tracestate, then without the trace context: tracing never costs a message.
   */
  #sendDeliver(value: MessageInitShape<typeof DeliverSchema>, trace: TraceContext | undefined, commit?: () => void): void {
    const encode = (fitted: TraceContext | undefined): Uint8Array =>
      lengthPrefixed(toBinary(FrameSchema, create(FrameSchema, { subtype: { case: "Deliver", value: { ...value, ...traceFields(fitted) } } })));
    this.#sendPrefixed(this.#fitted(trace, encode), true, commit);
  }

  /** The Deliver `encode` makes with the largest of `trace`, `trace` without its tracestate, or nothing, that fits the peer's limit. */
  #fitted(trace: TraceContext | undefined, encode: (trace: TraceContext | undefined) => Uint8Array): Uint8Array {
    let prefixed = encode(trace);
    if (trace !== undefined && prefixed.length - 4 > this.#outboundLimit() && trace.tracestate) {
      prefixed = encode({ traceparent: trace.traceparent });
    }
    if (trace !== undefined && prefixed.length - 4 > this.#outboundLimit()) {
      prefixed = encode(undefined); // over the limit even so: #sendPrefixed refuses it
    }
    return prefixed;
  }

  /** Encodes and queues a frame; one over the peer's limit is not sent (LimitExceededError) and `commit` does not run. */
  #send(frame: MessageInitShape<typeof FrameSchema>, commit?: () => void): void {
    this.#sendPrefixed(lengthPrefixed(toBinary(FrameSchema, create(FrameSchema, frame))), frame.subtype?.case === "Deliver", commit);
  }

  /** Queues a frame already behind its length prefix (see #send); `deliver`: a message, bounded by maxOutboundBytes. */
  #sendPrefixed(prefixed: Uint8Array, deliver: boolean, commit?: () => void): void {
    const length = prefixed.length - 4;
    if (length > this.#outboundLimit()) {
      throw new LimitExceededError("MaxFrameBytes", `a frame of ${length} bytes is over the limit of ${this.#outboundLimit()}; not sent`);
    }
    if (deliver) {
      const waiting = this.#outbox.bytes + (this.#conduit.bufferedBytes?.() ?? 0);
      if (waiting + length > this.options.maxOutboundBytes) {
        throw new LimitExceededError(
          "MaxOutboundBytes",
          `${waiting} bytes wait for the socket already; a message of ${length} more is over ${this.options.maxOutboundBytes}; not sent`,
        );
      }
    }
    commit?.();
    this.#enqueuePrefixed(prefixed);
  }

  #enqueue(frame: MessageInitShape<typeof FrameSchema>): void {
    this.#enqueuePrefixed(lengthPrefixed(toBinary(FrameSchema, create(FrameSchema, frame))));
  }

  #enqueuePrefixed(prefixed: Uint8Array): void {
    this.#outbox.push(prefixed);
    this.counters.framesOut++;
    this.#lastSent = performance.now();
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  /** Sends what waits, joining frames into WebSocket messages of up to 64 KiB (a larger frame goes alone). */
  #flush(): void {
    this.#flushScheduled = false;
    for (const message of this.#outbox.take()) {
      this.counters.bytesOut += message.length;
      try {
        this.#conduit.send(message);
      } catch {
        // the socket is closing: its close event ends the portal
      }
    }
  }

  // ---- closing ----

  /** Closes because of a fault: an Error frame ahead of everything not yet sent, then the socket closes. */
  #abort(fault: Fault): void {
    if (this.#state === "closed") {
      return;
    }
    this.#outbox.clear();
    if (this.#state !== "new") {
      this.#enqueue({ subtype: { case: "Error", value: { Code: fault.code, Message: fault.detail } } });
      this.#flush();
    }
    this.#endConduit(fault.status, `${fault.code}: ${fault.detail}`);
    this.#finish({
      kind: fault.kind,
      code: fault.code,
      ...(limitCodes.has(fault.code) ? { limit: fault.code } : {}),
      message: fault.detail,
    });
  }

  #endConduit(status: number, reason: string): void {
    const cut = cutUtf8(reason, 123);
    try {
      this.#conduit.close(status, cut);
    } catch {
      try {
        this.#conduit.close(1000, cut); // browsers let a page send 1000 and 3000-4999 only
      } catch {
        // already closed
      }
    }
  }

  #finish(reason: PortalCloseReason): void {
    if (this.#state === "closed") {
      return;
    }
    this.#state = "closed";
    this.#closeReason = reason;
    clearTimeout(this.#handshakeTimer);
    clearInterval(this.#tickTimer);
    this.#outbox.clear();
    const error = new PortalClosedError(reason);
    for (const key of [...this.#asks.keys()]) {
      const pending = this.#asks.get(key)!;
      this.#settleAsk(key);
      pending.reject(error);
    }
    for (const pending of this.#lookups.values()) {
      pending.cleanup();
      pending.reject?.(error);
    }
    this.#lookups.clear();
    this.#table.closeAll({ kind: "PortalClosed", reason });
    for (const consumed of this.#consumed.values()) {
      consumed.state = "gone";
      consumed.end({ kind: "failed", error });
    }
    this.#consumed.clear();
    for (const produced of this.#produced.values()) {
      produced.stop(false);
    }
    this.#produced.clear();
    this.#rejectOpened(error);
    this.#resolveClosed(reason);
  }
}

function streamKey(id: WireId | undefined): string {
  return idKey(id?.High ?? 0n, id?.Low ?? 0n);
}

function wireId(id: Id): { High: bigint; Low: bigint } {
  return { High: id.high, Low: id.low };
}

function toId(id: WireId | undefined): Id {
  return { high: id?.High ?? 0n, low: id?.Low ?? 0n };
}

function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes` (a WebSocket close reason's limit). */
function cutUtf8(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) {
    return text;
  }
  let cut = text;
  while (encoder.encode(cut).length > maxBytes) {
    cut = cut.slice(0, -1);
  }
  return cut;
}

/** A trace context as the fields of a Deliver built with protobuf-es (nothing when there is none). */
function traceFields(trace: TraceContext | undefined): { TraceParent?: string; TraceState?: string } {
  if (trace === undefined) {
    return {};
  }
  return trace.tracestate === undefined || trace.tracestate === "" ? { TraceParent: trace.traceparent } : { TraceParent: trace.traceparent, TraceState: trace.tracestate };
}
