import type { DescField, DescMessage } from "@bufbuild/protobuf";

/**
 * A reference as it sits in a message: the contract's `WireRef` (any package), whose fields are
 * `fixed64 High = 1; fixed64 Low = 2; bool Yours = 3; uint32 WithinMs = 4;`. Put the `ref` of a `LocalActor`,
 * a `RemoteRef` or an ask's port into such a field; read one received with `portal.remote(...)` or `portal.replyPort(...)`.
 */
export interface WireRefInit {
  High: bigint;
  Low: bigint;
  Yours?: boolean;
  WithinMs?: number;
}

/** True when the message type is the reference shape `WireRef` of a contract schema (ActorRef<T> or ReplyPort<T>). */
export function isWireRefType(desc: DescMessage): boolean {
  return desc.name === "WireRef" && hasFields(desc, [
    [1, "High"],
    [2, "Low"],
  ]);
}

/** True when the message type is a stream field's shape `StreamRef`. */
export function isStreamRefType(desc: DescMessage): boolean {
  return desc.name === "StreamRef" && hasFields(desc, [
    [1, "High"],
    [2, "Low"],
  ]);
}

function hasFields(desc: DescMessage, fields: [number, string][]): boolean {
  return fields.every(([number, name]) => desc.fields.some((f) => f.number === number && f.name === name));
}

/** What a walk over a message finds. */
export interface RefVisitor {
  /** A WireRef value (an ActorRef<T> or ReplyPort<T> field, list element or map value). */
  ref(value: WireRefInit): void;
  /** A StreamRef value. */
  stream(value: WireRefInit): void;
}

/** Thrown by visitRefs when a message is nested deeper than the limit. */
export class TooDeepError extends Error {
  constructor(limit: number) {
    super(`the message is nested deeper than ${limit}`);
    this.name = "TooDeepError";
  }
}

/**
 * Visits every reference and stream field of `message` (of type `desc`) at any depth: fields, oneof members (the
 * [ProtoInclude] subtypes), list elements and map values. Message types without any reference in them are not entered.
 */
export function visitRefs(desc: DescMessage, message: unknown, visitor: RefVisitor, maxDepth: number): void {
  walk(desc, message, visitor, 1, maxDepth);
}

function walk(desc: DescMessage, message: unknown, visitor: RefVisitor, depth: number, maxDepth: number): void {
  if (message === undefined || message === null || typeof message !== "object") {
    return;
  }
  if (depth > maxDepth) {
    throw new TooDeepError(maxDepth);
  }
  if (!mayHoldRefs(desc)) {
    return;
  }
  const record = message as Record<string, unknown>;
  for (const field of desc.fields) {
    const value = fieldValue(field, record);
    if (value === undefined || value === null) {
      continue;
    }
    const target = messageTypeOf(field);
    if (target === undefined) {
      continue;
    }
    const each = (item: unknown): void => visitValue(target, item, visitor, depth, maxDepth);
    if (field.fieldKind === "list") {
      (value as unknown[]).forEach(each);
    } else if (field.fieldKind === "map") {
      Object.values(value as Record<string, unknown>).forEach(each);
    } else {
      each(value);
    }
  }
}

function visitValue(desc: DescMessage, value: unknown, visitor: RefVisitor, depth: number, maxDepth: number): void {
  if (value === undefined || value === null || typeof value !== "object") {
    return;
  }
  if (isWireRefType(desc)) {
    visitor.ref(value as WireRefInit);
  } else if (isStreamRefType(desc)) {
    visitor.stream(value as WireRefInit);
  } else {
    walk(desc, value, visitor, depth + 1, maxDepth);
  }
}

function fieldValue(field: DescField, record: Record<string, unknown>): unknown {
  if (field.oneof !== undefined) {
    const chosen = record[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
    return chosen?.case === field.localName ? chosen.value : undefined;
  }
  return record[field.localName];
}

function messageTypeOf(field: DescField): DescMessage | undefined {
  switch (field.fieldKind) {
    case "message":
      return field.message;
    case "list":
      return field.listKind === "message" ? field.message : undefined;
    case "map":
      return field.mapKind === "message" ? field.message : undefined;
    default:
      return undefined;
  }
}

const refHolding = new WeakMap<DescMessage, boolean>();

/** Whether a message of this type can contain a reference or a stream at some depth (cached per type). */
function mayHoldRefs(desc: DescMessage): boolean {
  const known = refHolding.get(desc);
  if (known !== undefined) {
    return known;
  }
  refHolding.set(desc, true); // a recursive type is assumed to hold them while its own answer is computed
  const answer = desc.fields.some((field) => {
    const target = messageTypeOf(field);
    return target !== undefined && (isWireRefType(target) || isStreamRefType(target) || mayHoldRefs(target));
  });
  refHolding.set(desc, answer);
  return answer;
}
