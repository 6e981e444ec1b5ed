import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { Observable } from "rxjs";
import { RemoteStreamError } from "./errors.js";

/** The consumer's window (docs/protocol.md, "Demand: credit"): granted ahead of what the reader took, re-granted at half. */
export const streamWindowElements = 256;
/** The window in bytes (256 KiB). */
export const streamWindowBytes = 256 * 1024;
/** The largest element this side accepts (MaxStreamElementBytes, 1 MiB − 64). */
export const maxStreamElementBytes = 1024 * 1024 - 64;

/** What a consumed stream needs from its portal. */
export interface StreamPort {
  /** Sends Demand with these cumulative values. */
  demand(credit: bigint, creditBytes: bigint): void;
  /** Sends StreamCancel with this code. */
  cancel(code: string): void;
  /** Decodes one element (throws when it does not decode). */
  decode(bytes: Uint8Array): unknown;
}

type End = { kind: "completed" } | { kind: "failed"; error: unknown };

/**
 * One stream the peer offered in a message, on the consumer's side (the states of docs/protocol.md's consumer table):
 * announced until read, open while read, cancelling after this side stopped, gone after StreamEnd.
 * @internal
 */
export class ConsumedStream {
  state: "announced" | "open" | "cancelling" | "gone" = "announced";
  /** Set once the user asked for the stream (portal.stream). */
  port: StreamPort | undefined;
  received = 0;
  receivedBytes = 0;
  credit = 0;
  creditBytes = 0;
  #taken = 0;
  #takenBytes = 0;
  #grantedAtTaken = 0;
  #grantedAtBytes = 0;
  readonly #buffer: { value: unknown; bytes: number }[] = [];
  #end: End | undefined;
  #wake: (() => void) | undefined;

  constructor(
    readonly key: string,
    readonly id: { High: bigint; Low: bigint },
  ) {}

  /** The local reader starts: the first Demand opens the stream (an announced stream that already ended just ends). */
  open(): void {
    if (this.state !== "announced") {
      return;
    }
    if (this.#end !== undefined) {
      return;
    }
    this.state = "open";
    this.#grant();
  }

  /** Elements that arrived within the rules: buffered for the reader. */
  push(value: unknown, bytes: number): void {
    this.#buffer.push({ value, bytes });
    this.#notify();
  }

  /** The stream ended (StreamEnd, a violation, the portal's close): the reader sees it after the buffer. */
  end(end: End): void {
    if (this.#end === undefined) {
      this.#end = end;
    }
    this.#notify();
  }

  /** The local reader stopped before the end: drop the buffer, cancel. */
  stop(): void {
    this.#buffer.length = 0;
    if (this.state === "open" || this.state === "announced") {
      this.state = "cancelling";
      this.port?.cancel("");
    }
    this.#end ??= { kind: "completed" };
    this.#notify();
  }

  /** The next element, or done, or the stream's error. */
  async next(): Promise<IteratorResult<unknown>> {
    this.open();
    for (;;) {
      const item = this.#buffer.shift();
      if (item !== undefined) {
        this.#taken++;
        this.#takenBytes += item.bytes;
        if (this.state === "open" && (this.#taken - this.#grantedAtTaken >= streamWindowElements / 2 || this.#takenBytes - this.#grantedAtBytes >= streamWindowBytes / 2)) {
          this.#grant();
        }
        return { value: item.value, done: false };
      }
      if (this.#end !== undefined) {
        if (this.#end.kind === "failed") {
          throw this.#end.error;
        }
        return { value: undefined, done: true };
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #grant(): void {
    this.#grantedAtTaken = this.#taken;
    this.#grantedAtBytes = this.#takenBytes;
    this.credit = this.#taken + streamWindowElements;
    this.creditBytes = this.#takenBytes + streamWindowBytes;
    this.port?.demand(BigInt(this.credit), BigInt(this.creditBytes));
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/**
 * A stream the peer offered in a received message (a `StreamRef` field: an `IAsyncEnumerable<T>`, `Source<T>` or
 * `IObservable<T>` on the .NET side), got with `portal.stream(field, schema)`. Read it once, as an `AsyncIterable`
 * (`for await`; `break` cancels it) or as an RxJS `Observable` (`asObservable()`; unsubscribing cancels it). Credit
 * goes to the producer as the reader takes elements: a window of 256 elements and 256 KiB ahead of it.
 * The reader fails with `RemoteStreamError` when the producer ends the stream with a code, and with
 * `PortalClosedError` when the portal closes first.
 */
export class RemoteStream<D extends DescMessage> implements AsyncIterable<MessageShape<D>> {
  #read = false;

  /** @internal Use `portal.stream`. */
  constructor(readonly schema: D, private readonly consumed: ConsumedStream) {}

  /** Reads the stream (once): elements in order; `break` or `return()` cancels it. */
  [Symbol.asyncIterator](): AsyncIterator<MessageShape<D>> {
    if (this.#read) {
      throw new Error("a remote stream can be read only once");
    }
    this.#read = true;
    const consumed = this.consumed;
    return {
      next: () => consumed.next() as Promise<IteratorResult<MessageShape<D>>>,
      return: () => {
        consumed.stop();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  /** The stream as an Observable (subscribe once): unsubscribing before the end cancels it. */
  asObservable(): Observable<MessageShape<D>> {
    return new Observable<MessageShape<D>>((subscriber) => {
      const iterator = this[Symbol.asyncIterator]();
      let stopped = false;
      void (async () => {
        try {
          for (;;) {
            const result = await iterator.next();
            if (stopped) {
              return;
            }
            if (result.done) {
              subscriber.complete();
              return;
            }
            subscriber.next(result.value);
          }
        } catch (error) {
          if (!stopped) {
            subscriber.error(error);
          }
        }
      })();
      return () => {
        if (!stopped) {
          stopped = true;
          void iterator.return?.();
        }
      };
    });
  }
}

/** The error a consumer's reader sees for a StreamEnd with a code. */
export function endError(code: string, reason: string): RemoteStreamError {
  return new RemoteStreamError(code.slice(0, 64), reason.slice(0, 256));
}
