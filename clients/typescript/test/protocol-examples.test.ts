// docs/protocol.md's byte dumps, read by this client: the frames it writes are byte for byte the dumps (where the dump
// is what any encoder writes), and the payload dumps decode with the types protoc-gen-es generated from the contracts,
// with the references where the walk over the descriptors finds them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { lengthPrefixed } from "../src/framing.js";
import { FrameSchema } from "../src/gen/wormhole_pb.js";
import { visitRefs } from "../src/payloads.js";
import type { WireRefInit } from "../src/payloads.js";
import { ChatRoomSchema, WelcomeSchema } from "./gen/chat_pb.js";
import { AddSchema } from "./gen/conformance_pb.js";
import { repoRoot } from "./support/paths.js";

const doc = readFileSync(join(repoRoot, "docs/protocol.md"), "utf8").replaceAll("\r\n", "\n");

/** The bytes of the dump named `name`: the hex at the start of each line, before its annotation. */
function dump(name: string): Uint8Array {
  const block = new RegExp(`<!-- bytes: ${name} -->\\n\`\`\`text\\n([\\s\\S]*?)\`\`\``).exec(doc);
  assert.ok(block?.[1] !== undefined, `docs/protocol.md has no dump '${name}'`);
  const bytes: number[] = [];
  for (const line of block[1].split("\n")) {
    const hex = /^\s*([0-9a-f]{2}(?: [0-9a-f]{2})*)(?:\s{2,}.*)?$/.exec(line);
    hex?.[1]?.split(" ").forEach((pair) => bytes.push(parseInt(pair, 16)));
  }
  return new Uint8Array(bytes);
}

const frame = (init: MessageInitShape<typeof FrameSchema>): Uint8Array => toBinary(FrameSchema, create(FrameSchema, init));
const counting = (from: number): bigint => {
  let value = 0n;
  for (let i = 7; i >= 0; i--) {
    value = (value << 8n) | BigInt(from + i);
  }
  return value; // 8 bytes counting up from `from`, little-endian, as the dumps' ids
};
const refs = (schema: Parameters<typeof visitRefs>[0], message: unknown): WireRefInit[] => {
  const found: WireRefInit[] = [];
  visitRefs(schema, message, { ref: (ref) => found.push(ref), stream: () => undefined }, 64);
  return found;
};

test("the Hello this client writes is the dump's, with its length prefix", () => {
  const hello = frame({
    subtype: {
      case: "Hello",
      value: {
        ProtocolVersion: 1,
        SideId: { High: counting(0x11), Low: counting(0x19) },
        ConduitHalf: { High: counting(0x21), Low: counting(0x29) },
        MaxFrameBytes: 1024 * 1024,
        IdleTimeoutMs: 60_000,
      },
    },
  });
  assert.deepEqual(lengthPrefixed(hello), dump("hello"));
});

test("Lookup, LookupReply, Terminated, Release, KeepAlive, Goodbye and Error are the dumps' bytes", () => {
  const greeter = { High: counting(0xa1), Low: counting(0xa9) };
  assert.deepEqual(frame({ subtype: { case: "Lookup", value: { RequestId: 1n, Name: "greeter" } } }), dump("lookup"));
  assert.deepEqual(frame({ subtype: { case: "LookupReply", value: { RequestId: 1n, ActorId: greeter } } }), dump("lookup-reply"));
  assert.deepEqual(frame({ subtype: { case: "LookupReply", value: { RequestId: 2n, ActorId: {} } } }), dump("lookup-reply-not-found"));
  assert.deepEqual(frame({ subtype: { case: "Terminated", value: { Id: greeter } } }), dump("terminated"));
  assert.deepEqual(
    frame({ subtype: { case: "Release", value: { Id: { High: counting(0xc1), Low: counting(0xc9) }, Count: 2n } } }),
    dump("release"),
  );
  assert.deepEqual(frame({ subtype: { case: "KeepAlive", value: {} } }), dump("keepalive"));
  assert.deepEqual(frame({ subtype: { case: "Goodbye", value: { Reason: "closed by this side" } } }), dump("goodbye"));
  assert.deepEqual(
    frame({ subtype: { case: "Error", value: { Code: "hello-expected", Message: "the first frame must be Hello" } } }),
    dump("error"),
  );
});

test("the Deliver of an Add decodes: the payload as the contract's Add, its ReplyPort a WireRef with WithinMs", () => {
  const decoded = fromBinary(FrameSchema, dump("deliver-add"));
  assert.equal(decoded.subtype.case, "Deliver");
  const deliver = decoded.subtype.case === "Deliver" ? decoded.subtype.value : assert.fail();
  assert.deepEqual(deliver.Target, { $typeName: "Wormhole.Streams.Protocol.WireId", High: counting(0xb1), Low: counting(0xb9) });
  const add = fromBinary(AddSchema, deliver.Payload);
  assert.deepEqual([add.A, add.B, add.Reply?.High, add.Reply?.Low, add.Reply?.Yours, add.Reply?.WithinMs], [2, 3, counting(0xe1), counting(0xe9), false, 30_000]);
  assert.deepEqual(refs(AddSchema, add), [add.Reply]);
});

test("a [ProtoInclude] subtype travels inside its base's oneof: the Post dump decodes as ChatRoom with its reply port", () => {
  const room = fromBinary(ChatRoomSchema, dump("payload-post"));
  const post = room.subtype.case === "Post" ? room.subtype.value : assert.fail(`a ${room.subtype.case}`);
  assert.deepEqual([post.Text, post.Reply?.WithinMs], ["hi", 10_000]);
  assert.deepEqual(refs(ChatRoomSchema, room), [post.Reply]);
});

test("the Welcome dump decodes: its History entries inside ChatClient's oneof, its Room a reference the walk finds", () => {
  const welcome = fromBinary(WelcomeSchema, dump("payload-welcome"));
  const entry = welcome.History[0]?.subtype;
  assert.equal(entry?.case, "MessagePosted");
  const posted = entry?.case === "MessagePosted" ? entry.value : assert.fail();
  assert.deepEqual([welcome.Alias, posted.From, posted.Text, posted.Sequence], ["ada", "bo", "hi", 1n]);
  assert.deepEqual(refs(WelcomeSchema, welcome), [welcome.Room]);
  assert.deepEqual([welcome.Room?.High, welcome.Room?.Low], [counting(0x31), counting(0x39)]);
});
