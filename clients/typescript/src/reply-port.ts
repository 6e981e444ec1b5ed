import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import { InvalidReferenceError } from "./errors.js";
import type { Id } from "./ids.js";
import type { PortalInternals, TellOptions } from "./internals.js";
import type { TraceContext } from "./trace.js";

/**
 * Where to answer the peer: a reply port it put in a message (a `ReplyPort<T>` field, opened with
 * `portal.replyPort`), or the sender of a delivery. A one-shot port takes one answer before its deadline; the
 * sender of a plain tell (a lasting publication of the peer) takes any number.
 */
export class ReplyPort {
  /** When the port stops accepting (Date.now() milliseconds); undefined for a plain tell's sender. */
  readonly deadline: number | undefined;
  readonly #portal: PortalInternals;
  readonly #id: Id;
  readonly #trace: TraceContext | undefined;
  #answered = false;

  /** @internal */
  constructor(portal: PortalInternals, id: Id, deadline: number | undefined, trace?: TraceContext) {
    this.#portal = portal;
    this.#id = id;
    this.deadline = deadline;
    this.#trace = trace;
  }

  /** True once a one-shot port was answered or its deadline passed. */
  get isClosed(): boolean {
    return this.deadline !== undefined && (this.#answered || Date.now() >= this.deadline);
  }

  /**
   * Sends the answer, encoded as `schema` (the type the asker expects: for a `ReplyPort<int>` the contract's
   * wrapper `Int32`). The answer carries `options.trace`, by default the trace context of the delivery this port is
   * the sender of, so the asker's trace goes on. @throws InvalidReferenceError when a one-shot port was answered already or expired.
   */
  reply<R extends DescMessage>(schema: R, message: MessageInitShape<R>, options?: TellOptions): void {
    this.#take();
    this.#portal.tell(this.#id, schema, message, options?.trace ?? this.#trace);
  }

  /** Answers with a failure text instead (`Deliver.Failure`): the asker's task fails with it. */
  fail(failure: string, options?: TellOptions): void {
    this.#take();
    this.#portal.fail(this.#id, failure, options?.trace ?? this.#trace);
  }

  #take(): void {
    if (this.deadline === undefined) {
      return;
    }
    if (this.#answered) {
      throw new InvalidReferenceError("this reply port was answered already");
    }
    if (Date.now() >= this.deadline) {
      throw new InvalidReferenceError("this reply port expired");
    }
    this.#answered = true;
  }
}
