// A hostile server: a WebSocket server on 127.0.0.1 that speaks the frames by hand and misbehaves. Each bad input must
// close the portal with a clear reason (an Error frame to the peer, then the socket's close), never throw out of an
// event handler, and leave the process unharmed.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { firstValueFrom, take, toArray } from "rxjs";
import { create, toBinary } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import WebSocket from "ws";
import { LimitExceededError, PortalClosedError, connect, newTraceparent } from "../src/index.js";
import type { ConnectOptions, LocalActor, Portal, PortalCloseReason } from "../src/index.js";
import { lengthPrefixed } from "../src/framing.js";
import { HistoryLinesSchema } from "./gen/chat_pb.js";
import { EchoSchema, NestedSchema } from "./gen/conformance_pb.js";
import { waitFor, within } from "./support/bounds.js";
import { hostilePeer } from "./support/hostile.js";
import type { HostilePeer, HostileSocket } from "./support/hostile.js";

const uncaught: unknown[] = [];
const onUncaught = (error: unknown): void => {
  uncaught.push(error);
};

let peer: HostilePeer | undefined;
const open = async (script: (socket: HostileSocket) => void | Promise<void>, options: ConnectOptions = {}): Promise<Portal> => {
  peer = await hostilePeer(script);
  return within("connect", connect(peer.url, { WebSocket, ...options }));
};

/** What connect rejected with: the close reason of a portal that never opened. */
const refusal = async (connecting: Promise<Portal>): Promise<PortalCloseReason> => {
  const error = await within("the refusal", connecting.then(() => undefined, (e: unknown) => e));
  assert.ok(error instanceof PortalClosedError, `connect should reject with PortalClosedError, not ${String(error)}`);
  return error.reason;
};

/** Checks that the client told the peer why (an Error frame with the code) and closed the socket with `status`. */
const toldPeer = async (code: string, status?: number): Promise<void> => {
  const closed = await within("the client's close", peer!.closed);
  const errors = peer!.received.filter((frame) => frame.subtype.case === "Error");
  assert.equal(errors.length, 1, "one Error frame, the last one");
  assert.equal(peer!.received.at(-1)?.subtype.case, "Error");
  assert.equal(errors[0]?.subtype.case === "Error" ? errors[0].subtype.value.Code : undefined, code);
  if (status !== undefined) {
    assert.equal(closed.code, status);
  }
};

type DeliverInit = MessageInitShape<typeof import("../src/gen/wormhole_pb.js").DeliverSchema>;

/** The hostile server waits for the client's Lookup of "go" (sent once it published "sink"), looks "sink" up, and delivers. */
const deliverToSink =
  (deliver: (target: { High: bigint; Low: bigint }) => DeliverInit | DeliverInit[]) =>
  async (socket: HostileSocket): Promise<void> => {
    socket.hello();
    await socket.next("Lookup");
    socket.send({ subtype: { case: "Lookup", value: { RequestId: 1n, Name: "sink" } } });
    const reply = await socket.next("LookupReply");
    const id = reply.subtype.case === "LookupReply" ? reply.subtype.value.ActorId : undefined;
    const delivers = deliver({ High: id?.High ?? 0n, Low: id?.Low ?? 0n });
    for (const value of Array.isArray(delivers) ? delivers : [delivers]) {
      socket.send({ subtype: { case: "Deliver", value } });
    }
  };

/** Opens a portal to a deliverToSink server, publishes "sink" (of type Nested or Echo) and says "go". */
const sinkPortal = async <D extends typeof NestedSchema | typeof EchoSchema | typeof HistoryLinesSchema>(
  deliver: (target: { High: bigint; Low: bigint }) => DeliverInit | DeliverInit[],
  schema: D,
  options: ConnectOptions = {},
): Promise<{ portal: Portal; sink: LocalActor<D> }> => {
  const portal = await open(deliverToSink(deliver), options);
  const sink = portal.publish("sink", schema);
  portal.lookup("go", EchoSchema).catch(() => undefined);
  return { portal, sink };
};

const nested = (depth: number): MessageInitShape<typeof NestedSchema> => (depth === 0 ? { Text: "bottom" } : { Inner: nested(depth - 1) });

describe("against a hostile server", () => {
  before(() => process.on("uncaughtException", onUncaught));
  after(() => {
    process.off("uncaughtException", onUncaught);
    assert.deepEqual(uncaught, [], "nothing was thrown out of an event handler");
  });
  afterEach(async () => {
    await peer?.stop();
    peer = undefined;
  });

  test("a frame other than Hello first closes with hello-expected", async () => {
    const reason = await refusal(open((socket) => socket.send({ subtype: { case: "KeepAlive", value: {} } })));
    assert.deepEqual([reason.kind, reason.code], ["ProtocolViolation", "hello-expected"]);
    await toldPeer("hello-expected", 1002);
  });

  test("a Hello with protocol version 2 closes with version-mismatch", async () => {
    const reason = await refusal(open((socket) => socket.hello({ ProtocolVersion: 2 })));
    assert.deepEqual([reason.kind, reason.code], ["HandshakeFailed", "version-mismatch"]);
    await toldPeer("version-mismatch");
  });

  test("a Hello with MaxFrameBytes 100 closes with bad-hello", async () => {
    const reason = await refusal(open((socket) => socket.hello({ MaxFrameBytes: 100 })));
    assert.deepEqual([reason.kind, reason.code], ["HandshakeFailed", "bad-hello"]);
    await toldPeer("bad-hello");
  });

  test("no Hello within the handshake timeout closes with handshake-timeout", async () => {
    const reason = await refusal(open(() => undefined, { handshakeTimeoutMs: 300 }));
    assert.deepEqual([reason.kind, reason.code], ["HandshakeFailed", "handshake-timeout"]);
    await toldPeer("handshake-timeout");
  });

  test("a peer's Error before its Hello closes as PeerError with its code", async () => {
    const reason = await refusal(open((socket) => socket.send({ subtype: { case: "Error", value: { Code: "MaxProxies", Message: "too many" } } })));
    assert.deepEqual([reason.kind, reason.code, reason.limit], ["PeerError", "MaxProxies", "MaxProxies"]);
    assert.match(reason.message, /the peer reported 'MaxProxies': too many/);
  });

  test("a length prefix over MaxFrameBytes closes with MaxFrameBytes (status 1009) before the body comes", async () => {
    const portal = await open((socket) => {
      socket.hello();
      socket.sendRaw(new Uint8Array([0x00, 0x20, 0x00, 0x00])); // 2 MiB announced, nothing follows
    });
    const reason = await within("the close", portal.closed);
    assert.deepEqual([reason.kind, reason.code, reason.limit], ["LimitExceeded", "MaxFrameBytes", "MaxFrameBytes"]);
    await toldPeer("MaxFrameBytes", 1009);
  });

  test("one WebSocket message over 64 KiB and MaxFrameBytes + 4 closes with MaxFrameBytes", async () => {
    const portal = await open(
      (socket) => {
        socket.hello();
        socket.sendRaw(new Uint8Array(70 * 1024));
      },
      { maxFrameBytes: 2048 },
    );
    const reason = await within("the close", portal.closed);
    assert.equal(reason.code, "MaxFrameBytes");
    await toldPeer("MaxFrameBytes", 1009);
  });

  test("bytes that are not protobuf close with malformed-frame", async () => {
    const portal = await open((socket) => {
      socket.hello();
      socket.sendRaw(lengthPrefixed(new Uint8Array([0xff, 0xff, 0xff, 0xff])));
    });
    const reason = await within("the close", portal.closed);
    assert.deepEqual([reason.kind, reason.code], ["ProtocolViolation", "malformed-frame"]);
    await toldPeer("malformed-frame", 1002);
  });

  test("a frame of an unknown kind (field 20) closes with malformed-frame", async () => {
    const portal = await open((socket) => {
      socket.hello();
      socket.sendRaw(lengthPrefixed(new Uint8Array([0xa2, 0x01, 0x00])));
    });
    assert.equal((await within("the close", portal.closed)).code, "malformed-frame");
    await toldPeer("malformed-frame");
  });

  test("a text message closes the socket at once with status 1003 and no Error frame, as the .NET side does", async () => {
    const portal = await open((socket) => {
      socket.hello();
      socket.socket.send("hello as text");
    });
    const reason = await within("the close", portal.closed);
    assert.deepEqual([reason.kind, reason.code], ["ProtocolViolation", undefined]);
    assert.match(reason.message, /text message/);
    assert.equal((await within("the client's close", peer!.closed)).code, 1003);
    assert.equal(peer!.received.some((frame) => frame.subtype.case === "Error"), false, "no Error frame");
  });

  test("a second Hello closes with duplicate-hello", async () => {
    const portal = await open((socket) => {
      socket.hello();
      socket.hello();
    });
    assert.equal((await within("the close", portal.closed)).code, "duplicate-hello");
    await toldPeer("duplicate-hello");
  });

  test("a LookupReply for a request never sent closes with unexpected-reply", async () => {
    const portal = await open((socket) => {
      socket.hello();
      socket.send({ subtype: { case: "LookupReply", value: { RequestId: 99n, ActorId: { High: 1n, Low: 2n } } } });
    });
    assert.equal((await within("the close", portal.closed)).code, "unexpected-reply");
    await toldPeer("unexpected-reply");
  });

  test("stream frames for ids never offered count as unknown: past 100 the portal closes with MaxUnknownRequests", async () => {
    const stream = { High: 0x41n, Low: 0x42n };
    const portal = await open((socket) => {
      socket.hello();
      for (let i = 0; i < 30; i++) {
        socket.send({ subtype: { case: "StreamItems", value: { Stream: stream, Items: [new Uint8Array([8, 1])] } } });
        socket.send({ subtype: { case: "StreamEnd", value: { Stream: stream, Count: 1n } } });
        socket.send({ subtype: { case: "Demand", value: { Stream: stream, Credit: 1n } } });
        socket.send({ subtype: { case: "StreamCancel", value: { Stream: stream, Code: "cancelled" } } });
      }
    });
    const reason = await within("the close", portal.closed);
    assert.deepEqual([reason.kind, reason.code], ["LimitExceeded", "MaxUnknownRequests"]);
    assert.equal(portal.counters.unknownRequests, 101);
    await toldPeer("MaxUnknownRequests", 1008);
  });

  test("a stream offered in a message and not opened (portal.stream) in its turn is cancelled; its StreamEnd and items count as nothing", async () => {
    const offers = 150; // more than maxUnknownRequests (100), one after the other
    const ids: bigint[] = [];
    const portal = await open(async (socket) => {
      socket.hello();
      await socket.next("Lookup");
      socket.send({ subtype: { case: "Lookup", value: { RequestId: 1n, Name: "sink" } } });
      const reply = await socket.next("LookupReply");
      const target = reply.subtype.case === "LookupReply" ? reply.subtype.value.ActorId : undefined;
      for (let i = 1; i <= offers; i++) {
        const stream = { High: 0x5000n + BigInt(i), Low: 1n };
        socket.send({
          subtype: { case: "Deliver", value: { Target: target, Payload: toBinary(HistoryLinesSchema, create(HistoryLinesSchema, { Count: 1n, Lines: stream })) } },
        });
        const cancel = await socket.next("StreamCancel");
        ids.push(cancel.subtype.case === "StreamCancel" ? (cancel.subtype.value.Stream?.High ?? 0n) : 0n);
        socket.send({ subtype: { case: "StreamItems", value: { Stream: stream, Items: [new Uint8Array([8, 1])] } } });
        socket.send({ subtype: { case: "StreamEnd", value: { Stream: stream, Code: "cancelled" } } });
      }
    });
    const sink = portal.publish("sink", HistoryLinesSchema);
    const received = firstValueFrom(sink.messages.pipe(take(offers), toArray()));
    portal.lookup("go", EchoSchema).catch(() => undefined);
    assert.equal((await within("the offers", received)).length, offers);
    await waitFor("the last StreamCancel", () => ids.length === offers);
    assert.deepEqual(ids, Array.from({ length: offers }, (_, i) => 0x5001n + BigInt(i)));
    assert.equal(portal.isOpen, true, JSON.stringify(portal.closeReason));
    assert.equal(portal.counters.unknownRequests, 0);
  });

  test("more than 100 streams offered and not yet ended close with MaxStreams", async () => {
    const { portal } = await sinkPortal(
      (target) =>
        Array.from({ length: 101 }, (_, i) => ({
          Target: target,
          Payload: toBinary(HistoryLinesSchema, create(HistoryLinesSchema, { Lines: { High: 0x6000n + BigInt(i), Low: 1n } })),
        })),
      HistoryLinesSchema,
    );
    const reason = await within("the close", portal.closed);
    assert.deepEqual([reason.kind, reason.code], ["LimitExceeded", "MaxStreams"]);
    await toldPeer("MaxStreams");
  });

  test("a stream offered twice with the same id closes with bad-payload", async () => {
    const offer = { Lines: { High: 0x7000n, Low: 1n } };
    const { portal } = await sinkPortal(
      (target) => [1, 2].map(() => ({ Target: target, Payload: toBinary(HistoryLinesSchema, create(HistoryLinesSchema, offer)) })),
      HistoryLinesSchema,
    );
    assert.equal((await within("the close", portal.closed)).code, "bad-payload");
    await toldPeer("bad-payload");
  });

  test("malformed or oversized trace contexts are ignored and counted; the messages arrive and the portal stays open", async () => {
    const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const echo = (text: string) => toBinary(EchoSchema, create(EchoSchema, { Text: text }));
    const { portal, sink } = await sinkPortal(
      (target) => [
        { Target: target, Payload: echo("bad traceparent"), TraceParent: "00-not-a-trace-context" },
        { Target: target, Payload: echo("tracestate alone"), TraceState: "a=b" },
        { Target: target, Payload: echo("oversized tracestate"), TraceParent: parent, TraceState: "k=" + "v".repeat(600) },
        { Target: target, Payload: echo("valid"), TraceParent: parent, TraceState: "k=v" },
      ],
      EchoSchema,
    );
    const deliveries = await within("four deliveries", firstValueFrom(sink.deliveries.pipe(take(4), toArray())));
    assert.deepEqual(
      deliveries.map((d) => [d.message.Text, d.trace]),
      [
        ["bad traceparent", undefined],
        ["tracestate alone", undefined],
        ["oversized tracestate", { traceparent: parent }],
        ["valid", { traceparent: parent, tracestate: "k=v" }],
      ],
    );
    assert.equal(portal.counters.ignoredTraceContexts, 3);
    assert.ok(portal.isOpen);
  });

  test("a payload nested deeper than 64 closes with MaxMessageDepth", async () => {
    const { portal } = await sinkPortal((target) => ({ Target: target, Payload: toBinary(NestedSchema, create(NestedSchema, nested(100))) }), NestedSchema);
    const reason = await within("the close", portal.closed);
    assert.deepEqual([reason.kind, reason.code], ["LimitExceeded", "MaxMessageDepth"]);
    await toldPeer("MaxMessageDepth");
  });

  test("a payload nested 60 deep is delivered", async () => {
    const { portal, sink } = await sinkPortal((target) => ({ Target: target, Payload: toBinary(NestedSchema, create(NestedSchema, nested(60))) }), NestedSchema);
    let message: { Inner?: unknown; Text: string } | undefined = await within("the delivery", firstValueFrom(sink.messages));
    let depth = 0;
    while (message?.Inner !== undefined) {
      message = message.Inner as typeof message;
      depth++;
    }
    assert.deepEqual([depth, message?.Text], [60, "bottom"]);
    assert.equal(portal.isOpen, true);
  });

  test("deliveries that arrive before the first subscription wait for it, in order", async () => {
    const { portal, sink } = await sinkPortal(
      (target) => ["one", "two", "three"].map((text) => ({ Target: target, Payload: toBinary(EchoSchema, create(EchoSchema, { Text: text })) })),
      EchoSchema,
    );
    await waitFor("the three deliveries", () => portal.counters.framesIn >= 5);
    const texts = await within("the queued messages", firstValueFrom(sink.messages.pipe(take(3), toArray())));
    assert.deepEqual(texts.map((echo) => echo.Text), ["one", "two", "three"]);
  });

  test("a payload that does not decode as the actor's type closes with bad-payload", async () => {
    const { portal } = await sinkPortal((target) => ({ Target: target, Payload: new Uint8Array([0x0a, 0x05, 0x01]) }), NestedSchema);
    const reason = await within("the close", portal.closed);
    assert.deepEqual([reason.kind, reason.code], ["ProtocolViolation", "bad-payload"]);
    await toldPeer("bad-payload", 1002);
  });

  test("a Yours = true reference this side never gave closes with bad-payload", async () => {
    const { portal } = await sinkPortal(
      (target) => ({
        Target: target,
        Payload: toBinary(EchoSchema, create(EchoSchema, { Text: "forged", ReplyTo: { High: 7n, Low: 7n, Yours: true } })),
      }),
      EchoSchema,
    );
    assert.equal((await within("the close", portal.closed)).code, "bad-payload");
    await toldPeer("bad-payload");
  });

  test("more remote actors than maxProxies close with MaxProxies", async () => {
    const { portal } = await sinkPortal(
      (target) =>
        Array.from({ length: 6 }, (_, i) => ({
          Target: target,
          Payload: toBinary(EchoSchema, create(EchoSchema, { Text: `${i}`, ReplyTo: { High: 100n + BigInt(i), Low: 1n } })),
        })),
      EchoSchema,
      { maxProxies: 5 },
    );
    const reason = await within("the close", portal.closed);
    assert.deepEqual([reason.kind, reason.code], ["LimitExceeded", "MaxProxies"]);
    await toldPeer("MaxProxies");
  });

  test("deliveries to ids this side never gave count as unknown: past maxUnknownRequests the portal closes", async () => {
    const portal = await open(
      (socket) => {
        socket.hello();
        for (let i = 0; i < 4; i++) {
          socket.send({ subtype: { case: "Deliver", value: { Target: { High: 9n, Low: BigInt(i + 1) }, Payload: new Uint8Array() } } });
        }
      },
      { maxUnknownRequests: 3 },
    );
    assert.equal((await within("the close", portal.closed)).code, "MaxUnknownRequests");
    await toldPeer("MaxUnknownRequests");
  });

  test("a server that goes silent trips the client's idle timeout (IdleTimeout)", async () => {
    const portal = await open((socket) => socket.hello({ IdleTimeoutMs: 60_000 }), { idleTimeoutMs: 400 });
    const reason = await within("the close", portal.closed);
    assert.deepEqual([reason.kind, reason.code, reason.limit], ["LimitExceeded", "IdleTimeout", "IdleTimeout"]);
    assert.ok(portal.counters.keepAlivesSent > 0, "the client kept itself alive meanwhile");
    await toldPeer("IdleTimeout", 1008);
  });

  test("this side's own limits refuse one request and keep the portal open: maxPublications, maxPendingReplies", async () => {
    const portal = await open(
      (socket) => {
        socket.hello();
        void socket.next("Lookup").then((lookup) => {
          const requestId = lookup.subtype.case === "Lookup" ? lookup.subtype.value.RequestId : 0n;
          socket.send({ subtype: { case: "LookupReply", value: { RequestId: requestId, ActorId: { High: 5n, Low: 5n } } } });
        });
      },
      { maxPublications: 2, maxPendingReplies: 2 },
    );
    portal.anonymous(EchoSchema);
    portal.publish("named", EchoSchema);
    assert.throws(() => portal.anonymous(EchoSchema), (error: unknown) => error instanceof LimitExceededError && error.limit === "MaxPublications");
    const silent = await within("the lookup", portal.lookup("silent", EchoSchema));
    const pending = [1, 2].map(() => silent.askSender(EchoSchema, { Text: "never answered" }, { timeoutMs: 60_000 }).catch((error: unknown) => error));
    await assert.rejects(
      silent.askSender(EchoSchema, { Text: "one too many" }),
      (error: unknown) => error instanceof LimitExceededError && error.limit === "MaxPendingReplies",
    );
    assert.equal(portal.isOpen, true);
    await portal.close();
    for (const error of await Promise.all(pending)) {
      assert.ok(error instanceof PortalClosedError);
    }
  });

  test("messages waiting for the socket past maxOutboundBytes are refused (LimitExceededError); once it drains, tells go again", async () => {
    const portal = await open(
      (socket) => {
        socket.hello();
        void socket.next("Lookup").then((lookup) => {
          const requestId = lookup.subtype.case === "Lookup" ? lookup.subtype.value.RequestId : 0n;
          socket.send({ subtype: { case: "LookupReply", value: { RequestId: requestId, ActorId: { High: 5n, Low: 5n } } } });
        });
      },
      { maxOutboundBytes: 1024 * 1024 },
    );
    const sink = await within("the lookup", portal.lookup("sink", EchoSchema));
    const text = "x".repeat(100 * 1024);
    let sent = 0;
    assert.throws(
      () => {
        for (; sent < 20; sent++) {
          sink.tell({ Text: text }); // synchronously: nothing has reached the socket yet
        }
      },
      (error: unknown) => error instanceof LimitExceededError && error.limit === "MaxOutboundBytes",
    );
    assert.equal(sent, 10, "ten messages of 100 KiB fit in 1 MiB, the eleventh does not");
    assert.equal(portal.isOpen, true);
    await waitFor("the server to receive the ten", () => peer!.received.filter((frame) => frame.subtype.case === "Deliver").length === 10);
    await waitFor("the socket to drain", () => {
      try {
        sink.tell({ Text: "after" });
        return true;
      } catch {
        return false;
      }
    });
  });

  test("an aborted ask keeps its reply port until its deadline: a late answer is dropped, not counted as unknown", async () => {
    const portal = await open(
      async (socket) => {
        socket.hello();
        const lookup = await socket.next("Lookup");
        const requestId = lookup.subtype.case === "Lookup" ? lookup.subtype.value.RequestId : 0n;
        socket.send({ subtype: { case: "LookupReply", value: { RequestId: requestId, ActorId: { High: 5n, Low: 5n } } } });
        for (let i = 0; i < 3; i++) {
          const asked = await socket.next("Deliver");
          const replyTo = asked.subtype.case === "Deliver" ? asked.subtype.value.ReplyTo : undefined;
          socket.send({ subtype: { case: "Deliver", value: { Target: replyTo, Payload: toBinary(EchoSchema, create(EchoSchema, { Text: "late" })) } } });
        }
      },
      { maxUnknownRequests: 1 },
    );
    const slow = await within("the lookup", portal.lookup("slow", EchoSchema));
    for (let i = 0; i < 3; i++) {
      const abort = new AbortController();
      const asked = slow.askSender(EchoSchema, { Text: "never mind" }, { timeoutMs: 60_000, signal: abort.signal });
      abort.abort(new Error("navigated away"));
      await assert.rejects(asked, /navigated away/);
    }
    await waitFor("the three late answers", () => portal.counters.framesIn >= 5 || !portal.isOpen);
    assert.equal(portal.isOpen, true, JSON.stringify(portal.closeReason));
    assert.equal(portal.counters.unknownRequests, 0);
  });

  test("a server with MaxFrameBytes 1,024: a larger message is refused before it leaves, the portal stays open", async () => {
    const portal = await open((socket) => {
      socket.hello({ MaxFrameBytes: 1024 });
      void socket.next("Lookup").then((lookup) => {
        const requestId = lookup.subtype.case === "Lookup" ? lookup.subtype.value.RequestId : 0n;
        socket.send({ subtype: { case: "LookupReply", value: { RequestId: requestId, ActorId: { High: 5n, Low: 5n } } } });
      });
    });
    const echo = await within("the lookup", portal.lookup("echo", EchoSchema));
    assert.throws(() => echo.tell({ Text: "x".repeat(2000) }), (error: unknown) => error instanceof LimitExceededError && error.limit === "MaxFrameBytes");
    echo.tell({ Text: "small" });
    await waitFor("the small one to arrive", () => peer!.received.some((frame) => frame.subtype.case === "Deliver"));
    assert.equal(portal.isOpen, true);
    await portal.close();
  });

  test("a server with MaxFrameBytes 1,024: a message that fits only without its trace context goes without it", async () => {
    const portal = await open((socket) => {
      socket.hello({ MaxFrameBytes: 1024 });
      void socket.next("Lookup").then((lookup) => {
        const requestId = lookup.subtype.case === "Lookup" ? lookup.subtype.value.RequestId : 0n;
        socket.send({ subtype: { case: "LookupReply", value: { RequestId: requestId, ActorId: { High: 5n, Low: 5n } } } });
      });
    });
    const echo = await within("the lookup", portal.lookup("echo", EchoSchema));
    const trace = { traceparent: newTraceparent(), tracestate: "k=" + "v".repeat(510) };

    echo.tell({ Text: "a".repeat(900) }, { trace }); // a 929-byte frame: room for the traceparent, not the tracestate
    echo.tell({ Text: "b".repeat(950) }, { trace }); // a 979-byte frame: no room for either

    await waitFor("both", () => peer!.received.filter((frame) => frame.subtype.case === "Deliver").length === 2);
    const sent = peer!.received.flatMap((frame) => (frame.subtype.case === "Deliver" ? [frame.subtype.value] : []));
    assert.deepEqual(sent.map((d) => [d.Payload.length, d.TraceParent, d.TraceState]), [[903, trace.traceparent, ""], [953, "", ""]]);
    assert.equal(portal.isOpen, true);
    await portal.close();
  });
});
