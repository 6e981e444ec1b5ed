// Streams the .NET side offers in a message, read by the client (docs/protocol.md, "Streams"): against the conformance
// server's "counter-stream" (a reply carrying IAsyncEnumerable<Tick>) and against a hostile server that ignores credit.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { Observable, concat, firstValueFrom, map, of, range, take, throwError, toArray } from "rxjs";
import WebSocket from "ws";
import { InvalidReferenceError, RemoteStreamError, connect } from "../src/index.js";
import type { OfferOptions, Portal } from "../src/index.js";
import { HistoryLinesSchema, MessagePostedSchema } from "./gen/chat_pb.js";
import {
  CountToSchema,
  CountingSchema,
  EchoSchema,
  StreamReportSchema,
  StreamStatsSchema,
  TickSchema,
  UploadReportSchema,
  UploadSchema,
} from "./gen/conformance_pb.js";
import { waitFor, within } from "./support/bounds.js";
import { hostilePeer } from "./support/hostile.js";
import type { HostilePeer } from "./support/hostile.js";
import { startServer } from "./support/server.js";
import type { RunningServer } from "./support/server.js";

describe("streams from the .NET server", () => {
  let server: RunningServer;
  let portal: Portal;

  const stats = async () => {
    const statsRef = await portal.lookup("stream-stats", StreamStatsSchema);
    return within("stream-stats", statsRef.ask(StreamReportSchema, (port) => ({ Reply: port })));
  };
  /** Asks "counter-stream" for n ticks (0: endless) and opens the stream in the turn the answer arrives. */
  const ticks = async (n: number) => {
    const counter = await portal.lookup("counter-stream", CountToSchema);
    const counting = await within("the counting answer", counter.ask(CountingSchema, (port) => ({ N: n, Reply: port })));
    return portal.stream(counting.Ticks, TickSchema);
  };

  before(async () => {
    server = await startServer();
    portal = await within("connect", connect(server.url, { WebSocket }));
  });
  after(async () => {
    portal?.close("done");
    await server?.stop();
  });

  test("10,000 elements arrive in order through for await, then the stream completes", async () => {
    const stream = await ticks(10_000);
    const seqs: bigint[] = [];
    await within("the whole stream", (async () => {
      for await (const tick of stream) {
        seqs.push(tick.Seq);
      }
    })(), 60_000);
    assert.equal(seqs.length, 10_000);
    assert.ok(seqs.every((seq, i) => seq === BigInt(i)), "in order, none missing");
    assert.deepEqual([portal.isOpen, portal.counters.unknownRequests], [true, 0]);
  });

  test("a stream read as an Observable completes with every element", async () => {
    const stream = await ticks(1_000);
    const all = await within("the observable", firstValueFrom(stream.asObservable().pipe(toArray())));
    assert.deepEqual(all.map((tick) => Number(tick.Seq)), Array.from({ length: 1_000 }, (_, i) => i));
  });

  test("a slow reader holds the producer within the window: it pulls at most 256 + 256 (its buffer) + 1 ahead", async () => {
    const before = await stats();
    const stream = await ticks(0);
    const iterator = stream[Symbol.asyncIterator]();
    let taken = 0;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 100; i++) {
        assert.equal((await iterator.next()).value?.Seq, BigInt(taken));
        taken++;
      }
      // The reader pauses here: the producer's pulls cannot run ahead of the credit plus its own buffer.
      for (let look = 0; look < 3; look++) {
        const ahead = Number((await stats()).Pulled - before.Pulled) - taken;
        assert.ok(ahead <= 256 + 256 + 1, `the producer pulled ${ahead} elements ahead of a reader that took ${taken}`);
      }
    }
    await iterator.return?.();
    await waitFor("the producer to stop", async () => (await stats()).Stopped > before.Stopped);
  });

  test("break after 100 elements of an endless stream stops the server's producer; the portal stays clean", async () => {
    const before = await stats();
    const stream = await ticks(0);
    let count = 0;
    for await (const tick of stream) {
      assert.equal(tick.Seq, BigInt(count));
      if (++count === 100) {
        break;
      }
    }
    await waitFor("the producer to stop", async () => (await stats()).Stopped === before.Stopped + 1);
    assert.deepEqual([portal.isOpen, portal.counters.unknownRequests], [true, 0]);
  });

  test("unsubscribing from the Observable cancels the stream too", async () => {
    const before = await stats();
    const stream = await ticks(0);
    const first = await within("50 ticks", firstValueFrom(stream.asObservable().pipe(take(50), toArray())));
    assert.equal(first.length, 50);
    await waitFor("the producer to stop", async () => (await stats()).Stopped === before.Stopped + 1);
  });
});

describe("streams to the .NET server", () => {
  let server: RunningServer;
  let portal: Portal;
  const upload = async (source: AsyncIterable<{ Seq: bigint }> | Observable<{ Seq: bigint }>, takeOnly = 0, options?: OfferOptions) => {
    const sink = await portal.lookup("upload-sink", UploadSchema);
    return within("the upload's report", sink.ask(UploadReportSchema, (port) => ({ Ticks: portal.offer(source, TickSchema, options), TakeOnly: takeOnly, Reply: port })), 60_000);
  };

  before(async () => {
    server = await startServer();
    portal = await within("connect", connect(server.url, { WebSocket }));
  });
  after(async () => {
    portal?.close("done");
    await server?.stop();
  });

  test("an upload of 10,000 elements from an async generator arrives complete and in order", async () => {
    async function* ticks() {
      for (let i = 0; i < 10_000; i++) {
        yield { Seq: BigInt(i) };
      }
    }
    const report = await upload(ticks());
    assert.deepEqual([report.Count, report.InOrder, report.Error], [10_000n, true, ""]);
    assert.deepEqual([portal.isOpen, portal.counters.unknownRequests], [true, 0]);
  });

  test("the server stopping after 5 elements stops the generator (return), which was pulled only within the credit", async () => {
    let pulled = 0;
    let finished = false;
    async function* endless() {
      try {
        for (let i = 0; ; i++) {
          pulled++;
          yield { Seq: BigInt(i) };
        }
      } finally {
        finished = true;
      }
    }
    const report = await upload(endless(), 5);
    assert.deepEqual([report.Count, report.InOrder], [5n, true]);
    await waitFor("the generator's finally", () => finished);
    assert.ok(pulled <= 256 + 1, `the generator was pulled ${pulled} times; the server's first window is 256`);
    assert.deepEqual([portal.isOpen, portal.counters.unknownRequests], [true, 0]);
  });

  test("a generator that throws ends the stream as failed: the server's reader sees RemoteStreamException", async () => {
    async function* failing() {
      yield { Seq: 0n };
      throw new Error("the source broke");
    }
    const report = await upload(failing());
    assert.equal(report.Count, 1n);
    assert.match(report.Error, /RemoteStreamException/);
    assert.doesNotMatch(report.Error, /the source broke/, "the error's text stays on this side");
  });

  test("an Observable is subscribed only once the server reads, and its 1,000 elements arrive in order", async () => {
    let subscribed = 0;
    const ticks = new Observable<{ Seq: bigint }>((subscriber) => {
      subscribed++;
      for (let i = 0; i < 1_000; i++) {
        subscriber.next({ Seq: BigInt(i) });
      }
      subscriber.complete();
    });
    const sink = await portal.lookup("upload-sink", UploadSchema);
    const ref = portal.offer(ticks, TickSchema);
    assert.equal(subscribed, 0, "not subscribed by the offer");
    const report = await within("the report", sink.ask(UploadReportSchema, (port) => ({ Ticks: ref, Reply: port })));
    assert.deepEqual([report.Count, report.InOrder, report.Error, subscribed], [1_000n, true, "", 1]);
  });

  test("an endless Observable sends within the credit, and the server stopping after 5 elements unsubscribes it", async () => {
    let pushed = 0;
    let unsubscribed = false;
    const endless = new Observable<{ Seq: bigint }>((subscriber) => {
      const timer = setInterval(() => subscriber.next({ Seq: BigInt(pushed++) }), 1);
      return () => {
        clearInterval(timer);
        unsubscribed = true;
      };
    });
    const report = await upload(endless, 5);
    assert.deepEqual([report.Count, report.InOrder], [5n, true]);
    await waitFor("the unsubscription", () => unsubscribed);
    assert.deepEqual([portal.isOpen, portal.counters.unknownRequests], [true, 0]);
  });

  test("an Observable failing ends the stream as failed after what it pushed", async () => {
    const report = await upload(concat(of({ Seq: 0n }, { Seq: 1n }), throwError(() => new Error("the source broke"))));
    assert.equal(report.Count, 2n);
    assert.match(report.Error, /RemoteStreamException/);
  });

  test("an Observable pushing 2,000 at once overflows its buffer of 1,024: those are sent, then ObservableBufferSize", async () => {
    let unsubscribed = false;
    const burst = new Observable<{ Seq: bigint }>((subscriber) => {
      for (let i = 0; i < 2_000 && !subscriber.closed; i++) {
        subscriber.next({ Seq: BigInt(i) });
      }
      return () => (unsubscribed = true);
    });
    const report = await upload(burst);
    assert.deepEqual([report.Count, report.InOrder], [1_024n, true]);
    assert.match(report.Error, /RemoteStreamException: the observable pushed past its buffer of 1024 elements/);
    assert.equal(unsubscribed, true);
  });

  test("DropOldest keeps the newest elements of a burst: a buffer of 4 sends 96 to 99 of 100 and counts 96 dropped", async () => {
    const dropped = portal.counters.dropped;
    const report = await upload(range(0, 100).pipe(map((i) => ({ Seq: BigInt(i) }))), 0, { bufferSize: 4, overflow: "DropOldest" });
    assert.deepEqual([report.Count, report.InOrder, report.Error], [4n, false, ""]);
    assert.equal(portal.counters.dropped - dropped, 96, "each drop is counted");
  });
});

describe("streams from a hostile server", () => {
  let peer: HostilePeer | undefined;
  after(async () => peer?.stop());

  test("elements beyond the credit fail the stream with protocol-violation, are cancelled, and count toward MaxUnknownRequests", async () => {
    const stream = { High: 0x8000n, Low: 1n };
    const element = toBinary(MessagePostedSchema, create(MessagePostedSchema, {}));
    let cancelCode: string | undefined;
    peer = await hostilePeer(async (socket) => {
      socket.hello();
      await socket.next("Lookup");
      socket.send({ subtype: { case: "Lookup", value: { RequestId: 1n, Name: "sink" } } });
      const reply = await socket.next("LookupReply");
      const target = reply.subtype.case === "LookupReply" ? reply.subtype.value.ActorId : undefined;
      socket.send({ subtype: { case: "Deliver", value: { Target: target, Payload: toBinary(HistoryLinesSchema, create(HistoryLinesSchema, { Lines: stream })) } } });
      const demand = await socket.next("Demand");
      const credit = demand.subtype.case === "Demand" ? Number(demand.subtype.value.Credit) : 0;
      socket.send({ subtype: { case: "StreamItems", value: { Stream: stream, Items: Array.from({ length: credit + 1 }, () => element) } } });
      const cancel = await socket.next("StreamCancel");
      cancelCode = cancel.subtype.case === "StreamCancel" ? cancel.subtype.value.Code : undefined;
    });
    const portal = await within("connect", connect(peer.url, { WebSocket }));
    const sink = portal.publish("sink", HistoryLinesSchema);
    const read = new Promise<unknown>((resolve) => {
      sink.messages.subscribe((history) => {
        const lines = portal.stream(history.Lines, MessagePostedSchema);
        (async () => {
          for await (const _ of lines) {
            // nothing arrives within the rules
          }
        })().then(() => resolve(undefined), resolve);
      });
    });
    portal.lookup("go", EchoSchema).catch(() => undefined);
    const error = await within("the stream's failure", read);
    assert.ok(error instanceof RemoteStreamError, String(error));
    assert.equal(error.code, "protocol-violation");
    await waitFor("the StreamCancel", () => cancelCode !== undefined);
    assert.equal(cancelCode, "protocol-violation");
    assert.deepEqual([portal.counters.unknownRequests, portal.isOpen], [1, true]);
    portal.close("done");
  });
});

describe("the producer's subscription timeout", () => {
  const peers: HostilePeer[] = [];
  after(async () => {
    for (const peer of peers) {
      await peer.stop();
    }
  });

  test("a stream the server never opens ends with StreamEnd{0, subscription-timeout} after the timeout; its source is never read", async () => {
    const sink = { High: 0x8000n, Low: 7n };
    let offeredAt = 0;
    let endedAfter = 0;
    let end: { Count: bigint; Code: string } | undefined;
    const peer = await hostilePeer(async (socket) => {
      socket.hello();
      await socket.next("Lookup");
      socket.send({ subtype: { case: "LookupReply", value: { RequestId: 1n, ActorId: sink } } });
      await socket.next("Deliver");
      offeredAt = performance.now();
      const frame = await socket.next("StreamEnd");
      endedAfter = performance.now() - offeredAt;
      end = frame.subtype.case === "StreamEnd" ? frame.subtype.value : undefined;
      const stream = frame.subtype.case === "StreamEnd" ? frame.subtype.value.Stream : undefined;
      socket.send({ subtype: { case: "Demand", value: { Stream: stream, Credit: 16n, CreditBytes: 65_536n } } }); // too late: ignored
      socket.send({ subtype: { case: "Lookup", value: { RequestId: 1n, Name: "nothing" } } });
    });
    peers.push(peer);
    const portal = await within("connect", connect(peer.url, { WebSocket, streamSubscriptionTimeoutMs: 300 }));
    let read = false;
    async function* ticks() {
      read = true;
      yield { Seq: 0n };
    }
    const upload = await portal.lookup("upload-sink", UploadSchema);
    upload.tell({ Ticks: portal.offer(ticks(), TickSchema) });
    await waitFor("the StreamEnd", () => end !== undefined);
    assert.deepEqual([end!.Count, end!.Code], [0n, "subscription-timeout"]);
    assert.ok(endedAfter >= 250, `ended ${endedAfter} ms after the offer`);
    await waitFor("the peer's lookup after the late Demand", () => portal.counters.unknownRequests === 1);
    assert.equal(portal.counters.unknownRequests, 1, "the late Demand counted as nothing, the unknown lookup as one");
    assert.deepEqual([read, portal.isOpen], [false, true]);
    portal.close("done");
  });

  test("an offer never sent in a message is forgotten after the timeout: sending it later is refused", async (t) => {
    const peer = await hostilePeer(async (socket) => {
      socket.hello();
      await socket.next("Lookup");
      socket.send({ subtype: { case: "LookupReply", value: { RequestId: 1n, ActorId: { High: 0x8000n, Low: 8n } } } });
    });
    peers.push(peer);
    const portal = await within("connect", connect(peer.url, { WebSocket, streamSubscriptionTimeoutMs: 1_000 }));
    const upload = await within("the lookup", portal.lookup("upload-sink", UploadSchema));
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const ref = portal.offer(of({ Seq: 0n }), TickSchema);
    t.mock.timers.tick(1_000);
    t.mock.timers.reset();
    assert.throws(() => upload.tell({ Ticks: ref }), InvalidReferenceError);
    portal.close("done");
  });
});
