import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { Observable, Subject, map } from "rxjs";
import type { Id } from "./ids.js";
import type { PortalInternals } from "./internals.js";
import type { WireRefInit } from "./payloads.js";
import type { ReplyPort } from "./reply-port.js";
import type { TraceContext } from "./trace.js";

/** One message that arrived for a local actor, with the sender to answer when the peer gave one. */
export interface Delivery<T> {
  /** The message, decoded as the actor's type. */
  readonly message: T;
  /**
   * The sender to answer (`Deliver.ReplyTo`): a one-shot port when the peer asked as Akka's `Ask` does, or the
   * sender of a plain tell. Undefined when the peer gave none.
   */
  readonly sender?: ReplyPort;
  /**
   * The W3C trace context the message came with (a .NET sender's span: its `Activity.Current` or its send span), so
   * the handler's work can join that trace (`newTraceparent(delivery.trace)` for a child). Undefined when it came with
   * none, or with a malformed one (counted in `portal.counters.ignoredTraceContexts`).
   */
  readonly trace?: TraceContext;
}

/** How many deliveries wait for the first subscriber before later ones are dropped. */
const maxQueuedBeforeSubscribe = 1_000;

/**
 * An actor of this side that the peer can reach: published under a name (`portal.publish`) or anonymously
 * (`portal.anonymous`, handed over by putting `ref` in a message). Its incoming messages are an RxJS Observable;
 * deliveries that arrive before the first subscription wait (up to 1,000).
 */
export class LocalActor<D extends DescMessage> {
  /** The message type this actor accepts; the peer's payloads are decoded as it and nothing else. */
  readonly schema: D;
  /** The name it is published under, or undefined for an anonymous actor. */
  readonly name: string | undefined;
  /** Every delivery, with its sender. Completes when the actor is closed or the portal closes. */
  readonly deliveries: Observable<Delivery<MessageShape<D>>>;
  /** The messages alone. Completes when the actor is closed or the portal closes. */
  readonly messages: Observable<MessageShape<D>>;

  /** @internal */
  readonly id: Id;
  /** @internal Times the id was sent to the peer and not yet released by it (anonymous actors are routable while above 0). */
  sent = 0;
  /** @internal The number of deliveries dropped because nobody subscribed yet and the queue was full. */
  dropped = 0;

  readonly #portal: PortalInternals;
  readonly #key: string;
  readonly #subject = new Subject<Delivery<MessageShape<D>>>();
  #queue: Delivery<MessageShape<D>>[] | undefined = [];
  #closed = false;

  /** @internal */
  constructor(portal: PortalInternals, id: Id, key: string, schema: D, name: string | undefined) {
    this.#portal = portal;
    this.id = id;
    this.#key = key;
    this.schema = schema;
    this.name = name;
    this.deliveries = new Observable((subscriber) => {
      const subscription = this.#subject.subscribe(subscriber);
      const queued = this.#queue;
      this.#queue = undefined;
      queued?.forEach((delivery) => subscriber.next(delivery));
      if (this.#closed) {
        subscriber.complete();
      }
      return subscription;
    });
    this.messages = this.deliveries.pipe(map((delivery) => delivery.message));
  }

  /** The value to put in a message's reference field (an `ActorRef<T>` of the contract) to hand this actor to the peer. */
  get ref(): WireRefInit {
    return { High: this.id.high, Low: this.id.low, Yours: false, WithinMs: 0 };
  }

  /** True once closed (by `close()` or because the portal closed). */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Unpublishes the actor (the peer's references to it get `Terminated`) and completes its observables. */
  close(): void {
    if (!this.#closed) {
      this.#portal.closeLocal(this.#key);
    }
  }

  /** @internal */
  deliver(delivery: Delivery<MessageShape<D>>): void {
    if (this.#closed) {
      return;
    }
    if (this.#queue === undefined) {
      this.#subject.next(delivery);
    } else if (this.#queue.length < maxQueuedBeforeSubscribe) {
      this.#queue.push(delivery);
    } else {
      this.dropped++;
    }
  }

  /** @internal */
  complete(): void {
    if (!this.#closed) {
      this.#closed = true;
      this.#subject.complete();
    }
  }
}
