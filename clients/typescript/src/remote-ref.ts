import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { InvalidReferenceError } from "./errors.js";
import type { AskOptions, PortalInternals, ProxyEntry, RemoteEnd, TellOptions } from "./internals.js";
import type { WireRefInit } from "./payloads.js";

/**
 * A typed reference to an actor of the peer (from `portal.lookup`, or received in a message and opened with
 * `portal.remote`). One table entry per remote id; each RemoteRef is a view of it with a message type.
 */
export class RemoteRef<D extends DescMessage> {
  /** The message type this reference sends. */
  readonly schema: D;
  readonly #portal: PortalInternals;
  readonly #entry: ProxyEntry;

  /** @internal */
  constructor(portal: PortalInternals, entry: ProxyEntry, schema: D) {
    this.#portal = portal;
    this.#entry = entry;
    this.schema = schema;
    portal.trackHandle(this, entry);
  }

  /** The value to put in a message's reference field to hand this actor back to the peer (`Yours = true`). */
  get ref(): WireRefInit {
    return { High: this.#entry.id.high, Low: this.#entry.id.low, Yours: true, WithinMs: 0 };
  }

  /** Resolves when the remote actor stops (`Terminated`), this side releases it, or the portal closes; never rejects. */
  get terminated(): Promise<RemoteEnd> {
    return this.#entry.ended;
  }

  /** False once the actor terminated, the portal closed or the reference was released. */
  get isAlive(): boolean {
    return this.#entry.state === "alive";
  }

  /**
   * Sends a message (one-way).
   * A message to an actor that terminated is dropped.
   * `options.trace`: the W3C trace context it carries (the .NET side's receive span becomes a child of it).
   * @throws PortalClosedError when the portal is closed; InvalidReferenceError when this reference was released; LimitExceededError when its frame would be over the peer's MaxFrameBytes (nothing is sent); TypeError for a malformed trace.
   */
  tell(message: MessageInitShape<D>, options?: TellOptions): void {
    this.#check();
    if (this.#entry.state === "ended") {
      this.#portal.assertOpen();
      return; // the actor is gone: dropped, as Akka drops a message to a stopped actor
    }
    this.#portal.tell(this.#entry.id, this.schema, message, options?.trace);
  }

  /**
   * Asks with a reply port inside the message: `build` gets the port (a `WireRef` value with its deadline) and returns
   * the message that carries it; the promise resolves with the reply, decoded as `replySchema`.
   * Rejects with AskTimeoutError, RemoteFailureError, PortalClosedError, the signal's reason, or LimitExceededError.
   */
  ask<R extends DescMessage>(
    replySchema: R,
    build: (port: WireRefInit) => MessageInitShape<D>,
    options?: AskOptions,
  ): Promise<MessageShape<R>> {
    try {
      this.#checkAsk();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#portal.ask(this.#entry.id, this.schema, replySchema, build, options);
  }

  /**
   * Asks as Akka's `Ask` does: the message goes with a one-shot sender (`Deliver.ReplyTo` and its time), and the
   * callee answers its `Sender`; the promise resolves with that answer decoded as `replySchema`.
   */
  askSender<R extends DescMessage>(replySchema: R, message: MessageInitShape<D>, options?: AskOptions): Promise<MessageShape<R>> {
    try {
      this.#checkAsk();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#portal.askSender(this.#entry.id, this.schema, message, replySchema, options);
  }

  /**
   * Tells the peer this side no longer needs the actor (`Release` with the times the id was received); every
   * RemoteRef of the same id stops working. Done for you when all of them and the messages that carried the id are
   * garbage collected. Does nothing when already released or ended.
   */
  release(): void {
    this.#portal.release(this.#entry);
  }

  #check(): void {
    if (this.#entry.state === "released") {
      throw new InvalidReferenceError("this reference was released");
    }
  }

  #checkAsk(): void {
    this.#check();
    if (this.#entry.state === "ended") {
      this.#portal.assertOpen();
      throw new InvalidReferenceError("the remote actor terminated");
    }
  }
}
