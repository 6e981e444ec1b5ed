import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { InvalidReferenceError } from "./errors.js";
import { limit, violation } from "./fault.js";
import { idKey, isNoId } from "./ids.js";
import type { LocalActor } from "./local-actor.js";
import { TooDeepError, visitRefs } from "./payloads.js";
import type { WireRefInit } from "./payloads.js";
import type { ReferenceTable } from "./reference-table.js";

/**
 * Payloads (`Deliver.Payload`) to and from the user's protobuf-es messages, with the references in them: decoding takes
 * in every `WireRef` the peer sent (counted in the reference table), encoding checks that every `WireRef` the user put
 * in names something of this portal. The limits: `maxMessageDepth` for decoding, and the same depth for the walk.
 */
export class PayloadCodec {
  constructor(
    private readonly table: ReferenceTable,
    private readonly maxMessageDepth: number,
    private readonly isAskPort: (key: string) => boolean,
    private readonly offered: (stream: WireRefInit) => void,
    private readonly offering: (stream: WireRefInit) => () => void,
  ) {}

  /** Decodes a payload as `schema` and takes in the references in it; a payload that breaks the rules is a Fault. */
  decode<D extends DescMessage>(schema: D, payload: Uint8Array): MessageShape<D> {
    let message: MessageShape<D>;
    try {
      // The top-level message counts as depth 1, as MaxMessageDepth counts nesting below it.
      message = fromBinary(schema, payload, { readUnknownFields: false, recursionLimit: this.maxMessageDepth + 1 });
    } catch (error) {
      if (error instanceof Error && error.message.includes("maximum recursion depth")) {
        throw limit("MaxMessageDepth", `a payload nested deeper than ${this.maxMessageDepth}`);
      }
      throw violation("bad-payload", `a payload that does not decode as ${schema.typeName}`);
    }
    try {
      visitRefs(
        schema,
        message,
        {
          ref: (ref) => {
            if (isNoId(ref.High, ref.Low)) {
              return;
            }
            if (ref.Yours === true) {
              const key = idKey(ref.High, ref.Low);
              if (!this.table.gave(key)) {
                throw violation("bad-payload", "a Yours = true reference that this side never gave");
              }
              return;
            }
            if ((ref.WithinMs ?? 0) > 0) {
              return; // a reply port: one-shot, never released; portal.replyPort(ref) answers it
            }
            this.table.trackHandle(ref, this.table.acquire({ high: ref.High, low: ref.Low }));
          },
          stream: (ref) => this.offered(ref),
        },
        this.maxMessageDepth + 1,
      );
    } catch (error) {
      if (error instanceof TooDeepError) {
        throw limit("MaxMessageDepth", `a payload nested deeper than ${this.maxMessageDepth}`);
      }
      throw error;
    }
    return message;
  }

  /** Encodes a message for the peer; the references in it must be this portal's. Nothing is counted until commit. */
  encode<D extends DescMessage>(schema: D, init: MessageInitShape<D>): { bytes: Uint8Array; commit: () => void } {
    const message = create(schema, init);
    const handedOver: LocalActor<DescMessage>[] = [];
    const streams: (() => void)[] = [];
    visitRefs(
      schema,
      message,
      {
        ref: (ref) => {
          if (isNoId(ref.High, ref.Low)) {
            return;
          }
          const key = idKey(ref.High, ref.Low);
          if (ref.Yours === true) {
            if (this.table.proxy(key)?.state !== "alive") {
              throw new InvalidReferenceError("a reference in the message names a remote actor this side no longer holds (released or terminated)");
            }
            return;
          }
          const actor = this.table.local(key);
          if (actor !== undefined) {
            handedOver.push(actor);
            return;
          }
          if (this.isAskPort(key)) {
            return;
          }
          throw new InvalidReferenceError(
            "a reference in the message was not made by this portal: use the ref of a LocalActor, of a RemoteRef, or an ask's port",
          );
        },
        stream: (ref) => {
          if (!isNoId(ref.High, ref.Low)) {
            streams.push(this.offering(ref));
          }
        },
      },
      this.maxMessageDepth + 1,
    );
    return { bytes: toBinary(schema, message), commit: () => {
        handedOver.forEach((actor) => actor.sent++);
        streams.forEach((offered) => offered());
      },
    };
  }
}
