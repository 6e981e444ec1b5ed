import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { PortalCloseReason } from "./close-reason.js";
import type { Id } from "./ids.js";
import type { WireRefInit } from "./payloads.js";
import type { TraceContext } from "./trace.js";

/** Options of one tell. */
export interface TellOptions {
  /** The W3C trace context the message carries (see `newTraceparent`); the peer's receive span becomes its child. */
  trace?: TraceContext;
}

/** Options of one ask. */
export interface AskOptions {
  /** How long the reply port stays open, in milliseconds (the portal's `askTimeoutMs`, 30 s, by default). */
  timeoutMs?: number;
  /** Aborts the ask: its promise rejects with the signal's reason and a late reply is dropped. */
  signal?: AbortSignal;
  /** The W3C trace context the request carries; a .NET peer answers inside its receive span, a child of it. */
  trace?: TraceContext;
  /** Called, before the promise settles, with the trace context the reply came with (the peer's receive span), if any. */
  onReplyTrace?: (trace: TraceContext) => void;
}

/** How a remote reference ended. */
export type RemoteEnd =
  | { readonly kind: "Terminated" }
  | { readonly kind: "Released" }
  | { readonly kind: "PortalClosed"; readonly reason: PortalCloseReason };

/** The portal's table entry for one remote id this side holds (a lasting publication of the peer). */
export interface ProxyEntry {
  readonly id: Id;
  readonly key: string;
  /** Times the id was received since the last Release (each LookupReply, each Yours = false WireRef, each plain tell's sender). */
  count: number;
  /** Live handles: decoded WireRef objects and RemoteRef views; at 0 (garbage collected) the id is released. */
  live: number;
  state: "alive" | "released" | "ended";
  readonly ended: Promise<RemoteEnd>;
  end(how: RemoteEnd): void;
}

/** What RemoteRef, LocalActor and reply ports need from their portal. */
export interface PortalInternals {
  assertOpen(): void;
  tell<D extends DescMessage>(target: Id, schema: D, message: MessageInitShape<D>, trace?: TraceContext): void;
  ask<D extends DescMessage, R extends DescMessage>(
    target: Id,
    schema: D,
    replySchema: R,
    build: (port: WireRefInit) => MessageInitShape<D>,
    options: AskOptions | undefined,
  ): Promise<MessageShape<R>>;
  askSender<D extends DescMessage, R extends DescMessage>(
    target: Id,
    schema: D,
    message: MessageInitShape<D>,
    replySchema: R,
    options: AskOptions | undefined,
  ): Promise<MessageShape<R>>;
  fail(target: Id, failure: string, trace?: TraceContext): void;
  release(entry: ProxyEntry): void;
  trackHandle(handle: object, entry: ProxyEntry): void;
  closeLocal(key: string): void;
}
