// A chat client in plain Node.js, no packages: it speaks the Wormhole protocol over TCP from docs/protocol.md and the
// chat's contracts from Samples/Chat/Chat.Contracts/chat.proto, with a protobuf encoder and decoder of its own.
// Usage: node chat-node-peer.mjs PORT ALIAS TEXT. It joins, posts TEXT, says goodbye, and prints one JSON line of
// what the server answered; it exits 1 on anything unexpected.
import net from "node:net";
import { randomBytes } from "node:crypto";

const [port, alias, text] = process.argv.slice(2);
setTimeout(() => fail("no answer within 15 s"), 15_000).unref();

// --- protobuf: varints, fixed64 (as BigInt), length-delimited fields ---
const varint = (n) => {
  const out = [];
  for (let v = BigInt(n); ; v >>= 7n) {
    if (v < 0x80n) { out.push(Number(v)); return Buffer.from(out); }
    out.push(Number(v & 0x7fn) | 0x80);
  }
};
const tag = (field, wireType) => varint((field << 3) | wireType);
const uint = (field, n) => (n ? Buffer.concat([tag(field, 0), varint(n)]) : Buffer.alloc(0));
const bytes = (field, b) => Buffer.concat([tag(field, 2), varint(b.length), b]);
const string = (field, s) => bytes(field, Buffer.from(s, "utf8"));
const fixed64 = (field, n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(n); return Buffer.concat([tag(field, 1), b]); };

/** Decodes one message into { field: [values] }: varints as BigInt, fixed64 as BigInt, length-delimited as Buffer. */
function decode(buffer) {
  const fields = {};
  let at = 0;
  const readVarint = () => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = buffer[at++];
      if (b === undefined) throw new Error("truncated varint");
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return value;
    }
  };
  while (at < buffer.length) {
    const key = Number(readVarint());
    const field = key >> 3;
    let value;
    switch (key & 7) {
      case 0: value = readVarint(); break;
      case 1: value = buffer.readBigUInt64LE(at); at += 8; break;
      case 2: { const length = Number(readVarint()); value = buffer.subarray(at, at + length); at += length; break; }
      case 5: value = buffer.readUInt32LE(at); at += 4; break;
      default: throw new Error(`wire type ${key & 7} of field ${field}`);
    }
    (fields[field] ??= []).push(value);
  }
  return fields;
}
const first = (fields, field) => fields[field]?.[0];
const text8 = (b) => (b ? b.toString("utf8") : "");

// --- Wormhole: ids, references, frames ---
const newId = () => { const b = randomBytes(16); return { high: b.readBigUInt64LE(0) | 1n, low: b.readBigUInt64LE(8) | 1n }; };
const wireId = (field, id) => bytes(field, Buffer.concat([fixed64(1, id.high), fixed64(2, id.low)]));
const wireRef = (field, id, withinMs = 0) => bytes(field, Buffer.concat([fixed64(1, id.high), fixed64(2, id.low), uint(4, withinMs)]));
const readId = (b) => { const f = b ? decode(b) : {}; return { high: first(f, 1) ?? 0n, low: first(f, 2) ?? 0n }; };
const sameId = (a, b) => a.high === b.high && a.low === b.low;
const key = (id) => `${id.high}:${id.low}`;

const FRAME = { Hello: 1, Lookup: 2, LookupReply: 3, Deliver: 4, Terminated: 5, Release: 6, Error: 8, Goodbye: 9, KeepAlive: 10 };
const frame = (kind, body) => { const f = bytes(kind, body); const prefix = Buffer.alloc(4); prefix.writeUInt32BE(f.length); return Buffer.concat([prefix, f]); };

const socket = net.connect(Number(port), "127.0.0.1");
socket.on("error", (e) => fail(`socket: ${e.message}`));
let pending = Buffer.alloc(0);
const waiters = [];
const inbox = [];
socket.on("data", (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
    const body = pending.subarray(4, 4 + pending.readUInt32BE(0));
    pending = pending.subarray(4 + body.length);
    const fields = decode(body);
    const kind = Number(Object.keys(fields)[0]);
    const received = { kind, body: decode(fields[kind][0]) };
    if (kind === FRAME.KeepAlive) continue;
    if (kind === FRAME.Error) fail(`the server reported '${text8(first(received.body, 1))}': ${text8(first(received.body, 2))}`);
    if (waiters.length) waiters.shift()(received); else inbox.push(received);
  }
});
const next = () => (inbox.length ? Promise.resolve(inbox.shift()) : new Promise((resolve) => waiters.push(resolve)));
async function expect(kind) {
  const received = await next();
  if (received.kind !== kind) fail(`expected frame ${kind}, got ${received.kind}`);
  return received.body;
}
function fail(why) {
  console.error(`chat-node-peer: ${why}`);
  process.exit(1);
}

// Hello (both sides send it first), then look up the hub.
socket.write(frame(FRAME.Hello, Buffer.concat([uint(1, 1), wireId(2, newId()), wireId(3, newId()), uint(4, 1024 * 1024)])));
await expect(FRAME.Hello);
socket.write(frame(FRAME.Lookup, Buffer.concat([uint(1, 1), string(2, "chat")])));
const reply = await expect(FRAME.LookupReply);
const hub = readId(first(reply, 2));
if (first(reply, 1) !== 1n || (hub.high === 0n && hub.low === 0n)) fail("the hub is not published");

// ChatHub { Connect = 10 { ActorRef<ChatClient> Client = 1; ReplyPort<Welcome> Reply = 2; string Alias = 3; } }
const client = newId(), welcomePort = newId(), ackPort = newId();
const connect = bytes(10, Buffer.concat([wireRef(1, client), wireRef(2, welcomePort, 15_000), string(3, alias)]));
socket.write(frame(FRAME.Deliver, Buffer.concat([wireId(1, hub), bytes(2, connect)])));
const welcomeDeliver = await expect(FRAME.Deliver);
if (!sameId(readId(first(welcomeDeliver, 1)), welcomePort)) fail("the welcome went elsewhere");
// Welcome { string Alias = 1; repeated ChatClient History = 2; repeated string Online = 3; ActorRef<ChatRoom> Room = 4; }
const welcome = decode(first(welcomeDeliver, 2));
const room = readId(first(welcome, 4));

// ChatRoom { Post = 10 { string Text = 1; ReplyPort<Ack> Reply = 2; } }
const post = bytes(10, Buffer.concat([string(1, text), wireRef(2, ackPort, 15_000)]));
socket.write(frame(FRAME.Deliver, Buffer.concat([wireId(1, room), bytes(2, post)])));
const answers = {};
for (let i = 0; i < 2; i++) {
  const deliver = await expect(FRAME.Deliver);
  answers[key(readId(first(deliver, 1)))] = decode(first(deliver, 2) ?? Buffer.alloc(0));
}
const ack = answers[key(ackPort)];
const pushed = answers[key(client)];
if (!ack || !pushed) fail("expected an Ack and a push");
// ChatClient { MessagePosted = 13 { string From = 1; string Text = 2; int64 Sequence = 3; int64 PostedAtUnixMs = 4; } }
const posted = decode(first(pushed, 13) ?? fail("the push is not a MessagePosted"));

socket.end(frame(FRAME.Goodbye, string(1, "node peer done")));
console.log(JSON.stringify({
  alias: text8(first(welcome, 1)),
  online: (welcome[3] ?? []).map(text8),
  roomIdIsSet: room.high !== 0n || room.low !== 0n,
  accepted: first(ack, 1) === 1n,
  posted: { from: text8(first(posted, 1)), text: text8(first(posted, 2)), sequence: Number(first(posted, 3) ?? 0n) },
}));
