import type { DescMessage } from "@bufbuild/protobuf";
import { ObservableOverflowError } from "./observable-source.js";
import { maxStreamElementBytes } from "./remote-stream.js";

/** What a produced stream needs from its portal. */
export interface ProducerPort {
  /** Encodes one element (throws when a reference in it is not this portal's, or a limit refuses it). */
  encode(value: unknown): { bytes: Uint8Array; commit: () => void };
  /** Sends StreamItems with one element. */
  items(firstSeq: number, item: Uint8Array): void;
  /** Sends StreamEnd; the stream is forgotten. */
  end(count: number, code: string, reason: string): void;
  /** Forgets a stream never sent in a message, without a frame. */
  forget(): void;
}

/**
 * One stream this side offers (`portal.offer`), on the producer's side (docs/protocol.md's producer table): prepared
 * until a message carrying it is sent, offered until the first Demand, open while elements go within the credit,
 * ended after StreamEnd.
 * @internal
 */
export class ProducedStream {
  state: "prepared" | "offered" | "open" | "ended" = "prepared";
  #credit = 0n;
  #creditBytes = 0n;
  #sent = 0;
  #sentBytes = 0;
  #iterator: AsyncIterator<unknown> | undefined;
  #wake: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly key: string,
    readonly id: { High: bigint; Low: bigint },
    readonly schema: DescMessage,
    private readonly source: AsyncIterable<unknown>,
    private readonly port: ProducerPort,
    private readonly subscriptionTimeoutMs: number,
  ) {
    this.#armTimeout();
  }

  /** The message carrying the stream was sent: the peer has the subscription timeout to open it, from now. */
  offered(): void {
    this.state = "offered";
    this.#armTimeout();
  }

  /**
   * The producer's subscription timeout: a stream nobody opened with a Demand within it ends with
   * `StreamEnd{Count 0, subscription-timeout}` (docs/protocol.md, the producer's states), and its source is never
   * touched; one never sent in a message is forgotten.
   */
  #armTimeout(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.state === "prepared") {
        this.state = "ended";
        this.port.forget();
      } else if (this.state === "offered") {
        this.#finish("subscription-timeout", `nobody consumed the stream within the producer's ${this.subscriptionTimeoutMs / 1000} s subscription timeout`);
      }
    }, this.subscriptionTimeoutMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** A Demand: cumulative values; one raising neither is stale. The first opens the source. */
  demand(credit: bigint, creditBytes: bigint): void {
    if (this.state === "ended" || this.state === "prepared") {
      return;
    }
    if (credit > this.#credit) {
      this.#credit = credit;
    }
    if (creditBytes > this.#creditBytes) {
      this.#creditBytes = creditBytes;
    }
    if (this.state === "offered") {
      clearTimeout(this.#timer);
      this.state = "open";
      this.#iterator = this.source[Symbol.asyncIterator]();
      void this.#pump();
    } else {
      this.#notify();
    }
  }

  /** StreamCancel from the consumer, or the portal's close (no frame then): the source is stopped. */
  stop(frame: boolean): void {
    if (this.state === "ended") {
      return;
    }
    this.state = "ended";
    clearTimeout(this.#timer);
    this.#notify();
    const iterator = this.#iterator;
    if (iterator?.return !== undefined) {
      void Promise.resolve()
        .then(() => iterator.return!())
        .catch(() => undefined);
    }
    if (frame) {
      this.port.end(this.#sent, "cancelled", "");
    }
  }

  async #pump(): Promise<void> {
    const iterator = this.#iterator!;
    for (;;) {
      while (this.state === "open" && !(BigInt(this.#sent) < this.#credit && BigInt(this.#sentBytes) < this.#creditBytes)) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
      if (this.state !== "open") {
        return;
      }
      let result: IteratorResult<unknown>;
      try {
        result = await iterator.next();
      } catch (error) {
        if (error instanceof ObservableOverflowError) {
          return this.#finish("ObservableBufferSize", error.message);
        }
        return this.#finish("failed", "the producer failed");
      }
      if (this.state !== "open") {
        return;
      }
      if (result.done) {
        return this.#finish("", "");
      }
      let encoded: { bytes: Uint8Array; commit: () => void };
      try {
        encoded = this.port.encode(result.value);
      } catch {
        void Promise.resolve(iterator.return?.()).catch(() => undefined);
        return this.#finish("failed", "an element could not be encoded");
      }
      if (encoded.bytes.length > maxStreamElementBytes) {
        void Promise.resolve(iterator.return?.()).catch(() => undefined);
        return this.#finish("MaxStreamElementBytes", "an element over MaxStreamElementBytes");
      }
      encoded.commit();
      this.port.items(this.#sent, encoded.bytes);
      this.#sent++;
      this.#sentBytes += encoded.bytes.length;
    }
  }

  #finish(code: string, reason: string): void {
    this.state = "ended";
    clearTimeout(this.#timer);
    this.port.end(this.#sent, code, reason);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
