// Conformance of the client against the real .NET side: the conformance server (test/server, Wormhole.Streams'
// MapWormhole on Kestrel) over a real WebSocket on 127.0.0.1.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { firstValueFrom, take, toArray } from "rxjs";
import WebSocket from "ws";
import {
  AskTimeoutError,
  InvalidReferenceError,
  LimitExceededError,
  PortalClosedError,
  PublicationNotFoundError,
  RemoteFailureError,
  connect,
} from "../src/index.js";
import type { ConnectOptions, Portal } from "../src/index.js";
import {
  AddSchema,
  BounceSchema,
  BouncedSchema,
  CallBackSchema,
  CounterCommandSchema,
  CounterMadeSchema,
  EchoSchema,
  InspectSchema,
  Int32Schema,
  Int64Schema,
  MakeCounterSchema,
  PortalStatsSchema,
  QuizSchema,
  StringSchema,
} from "./gen/conformance_pb.js";
import { Bounds, waitFor, within } from "./support/bounds.js";
import { startServer } from "./support/server.js";
import type { RunningServer } from "./support/server.js";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

const open = (url: string, options: ConnectOptions = {}): Promise<Portal> => connect(url, { WebSocket, ...options });

describe("against the .NET server", () => {
  let server: RunningServer;
  const portals: Portal[] = [];
  const connectTo = async (options: ConnectOptions = {}): Promise<Portal> => {
    const portal = await within("connect", open(server.url, options));
    portals.push(portal);
    return portal;
  };
  const statsOf = async (portal: Portal, inspectorPortal: Portal = portal) => {
    const inspector = await inspectorPortal.lookup("inspector", InspectSchema);
    return within("inspect", inspector.ask(PortalStatsSchema, (port) => ({ PortalId: portal.peer!.portalId, Reply: port })));
  };

  before(async () => {
    server = await startServer();
  });

  after(async () => {
    await Promise.all(portals.map((portal) => portal.close()));
    await server?.stop();
  });

  test("the handshake opens the portal with the server's Hello: version 1, its limits, its conduit half", async () => {
    const portal = await connectTo();
    assert.equal(portal.isOpen, true);
    assert.equal(portal.peer?.maxFrameBytes, 1024 * 1024);
    assert.equal(portal.peer?.idleTimeoutMs, 60_000);
    assert.match(portal.peer?.portalId ?? "", /^[0-9a-f]{8}$/);
    assert.equal((await statsOf(portal)).Found, true, "the server knows the portal by the id its Hello gave");
  });

  test("a lookup of a name the server did not publish rejects with PublicationNotFoundError", async () => {
    const portal = await connectTo();
    await assert.rejects(portal.lookup("nobody", EchoSchema), PublicationNotFoundError);
    assert.equal(portal.isOpen, true);
  });

  test("tell carries a local actor's ref to the server, which answers through it (refs client to server)", async () => {
    const portal = await connectTo();
    const echo = await portal.lookup("echo", EchoSchema);
    const me = portal.anonymous(EchoSchema);
    const answers = firstValueFrom(me.messages.pipe(take(2), toArray()));
    echo.tell({ Text: "one", ReplyTo: me.ref });
    echo.tell({ Text: "two", ReplyTo: me.ref, Hops: 5 });
    const [first, second] = await within("two echoes", answers);
    assert.deepEqual([first?.Text, first?.Hops, second?.Text, second?.Hops], ["one", 1, "two", 6]);
  });

  test("ask with a reply port in the message resolves with the reply, a bare int as the contract's Int32 wrapper", async () => {
    const portal = await connectTo();
    const adder = await portal.lookup("adder", AddSchema);
    const sum = await within("the sum", adder.ask(Int32Schema, (port) => ({ A: 2, B: 3, Reply: port }), { timeoutMs: 5_000 }));
    assert.equal(sum.value, 5);
  });

  test("ask rejects with RemoteFailureError when the server answers the reply port with a failure", async () => {
    const portal = await connectTo();
    const adder = await portal.lookup("adder", AddSchema);
    const failed = adder.ask(Int32Schema, (port) => ({ A: 0, B: 0, Reply: port }));
    await assert.rejects(within("the failure", failed), (error: unknown) => {
      assert.ok(error instanceof RemoteFailureError);
      assert.match(error.failure, /nothing to add/);
      return true;
    });
  });

  test("askSender (Akka's ask: Deliver.ReplyTo with its time) resolves with what the server told its Sender", async () => {
    const portal = await connectTo();
    const echo = await portal.lookup("echo", EchoSchema);
    const answer = await within("the echo", echo.askSender(EchoSchema, { Text: "by sender", Hops: 1 }, { timeoutMs: 5_000 }));
    assert.deepEqual([answer.Text, answer.Hops], ["by sender", 2]);
  });

  test("an ask nobody answers rejects with AskTimeoutError at its deadline; an aborted ask with the signal's reason", async () => {
    const portal = await connectTo();
    const echo = await portal.lookup("echo", EchoSchema);
    // The echo answers its Sender, and a reply port inside the message is not its sender: nobody answers the port.
    await assert.rejects(within("the timeout", echo.ask(EchoSchema, () => ({ Text: "unanswered" }), { timeoutMs: 200 })), AskTimeoutError);
    const abort = new AbortController();
    const asked = echo.ask(EchoSchema, () => ({ Text: "aborted" }), { timeoutMs: 60_000, signal: abort.signal });
    abort.abort(new Error("the user went elsewhere"));
    await assert.rejects(within("the abort", asked), /the user went elsewhere/);
  });

  test("a ref the server sends arrives as a working remote ref (refs server to client), and a subtype message reaches it", async () => {
    const portal = await connectTo();
    const factory = await portal.lookup("factory", MakeCounterSchema);
    const made = await within("a counter", factory.ask(CounterMadeSchema, (port) => ({ Reply: port })));
    const counter = portal.remote(made.Counter, CounterCommandSchema);
    const add = (by: number) =>
      within("a total", counter.ask(Int64Schema, (port) => ({ subtype: { case: "Increment", value: { By: by, Total: port } } })));
    assert.equal((await add(2)).value, 2n);
    assert.equal((await add(3)).value, 5n);
    assert.equal(portal.remote(made.Counter, CounterCommandSchema).isAlive, true);
  });

  test("a remote actor that stops resolves terminated; a later tell is dropped and a later ask rejects", async () => {
    const portal = await connectTo();
    const factory = await portal.lookup("factory", MakeCounterSchema);
    const made = await within("a counter", factory.ask(CounterMadeSchema, (port) => ({ Reply: port })));
    const counter = portal.remote(made.Counter, CounterCommandSchema);
    counter.tell({ subtype: { case: "StopCounter", value: {} } });
    assert.deepEqual(await within("Terminated", counter.terminated), { kind: "Terminated" });
    assert.equal(counter.isAlive, false);
    counter.tell({ subtype: { case: "StopCounter", value: {} } });
    await assert.rejects(counter.ask(Int64Schema, (port) => ({ subtype: { case: "Increment", value: { By: 1, Total: port } } })), InvalidReferenceError);
    assert.equal(portal.isOpen, true);
  });

  test("the server hands the client's own refs back (Yours = true), also in a list: each resolves to the same local actor", async () => {
    const portal = await connectTo();
    const bouncer = await portal.lookup("bouncer", BounceSchema);
    const [me, second, third] = [portal.anonymous(EchoSchema), portal.anonymous(EchoSchema), portal.anonymous(EchoSchema)];
    const told = Promise.all([me, second, third].map((actor) => firstValueFrom(actor.messages)));
    const bounced = await within("bounced", bouncer.ask(BouncedSchema, (port) => ({ Target: me.ref, Reply: port, More: [second.ref, third.ref] })));
    assert.equal(bounced.Target?.Yours, true);
    assert.equal(portal.local(bounced.Target), me);
    assert.deepEqual(bounced.More.map((ref) => portal.local(ref)), [second, third]);
    assert.deepEqual((await within("the server's tells", told)).map((echo) => echo.Text), ["bounced", "bounced", "bounced"]);
  });

  test("the server looks up an actor the client published by name and tells it", async () => {
    const portal = await connectTo();
    const inbox = portal.publish("inbox", EchoSchema);
    const caller = await portal.lookup("caller", CallBackSchema);
    const arrived = firstValueFrom(inbox.deliveries);
    const done = await within("the call", caller.ask(StringSchema, (port) => ({ PortalId: portal.peer!.portalId, Name: "inbox", Text: "called back", Done: port })));
    assert.equal(done.value, "told");
    const delivery = await within("the message", arrived);
    assert.deepEqual([delivery.message.Text, delivery.sender], ["called back", undefined]);
  });

  test("a tell from the server with a sender (ReplyTo, ReplyWithinMs 0): the client answers the sender", async () => {
    const portal = await connectTo();
    const inbox = portal.publish("inbox", EchoSchema);
    inbox.deliveries.subscribe((delivery) => delivery.sender?.reply(EchoSchema, { Text: `${delivery.message.Text}, answered` }));
    const caller = await portal.lookup("caller", CallBackSchema);
    const call = { PortalId: portal.peer!.portalId, Name: "inbox", Text: "with sender", Mode: "tell-with-sender" };
    const done = await within("the call", caller.ask(StringSchema, (port) => ({ ...call, Done: port })));
    assert.equal(done.value, "with sender, answered");
  });

  test("the server asks the client as Akka does (a one-shot sender): the client's answer completes the server's ask", async () => {
    const portal = await connectTo();
    const inbox = portal.publish("inbox", EchoSchema);
    inbox.deliveries.subscribe((delivery) => {
      assert.ok(delivery.sender?.deadline !== undefined, "a one-shot sender has a deadline");
      delivery.sender.reply(EchoSchema, { Text: `${delivery.message.Text}, answered` });
      assert.throws(() => delivery.sender?.reply(EchoSchema, { Text: "twice" }), InvalidReferenceError);
    });
    const caller = await portal.lookup("caller", CallBackSchema);
    const call = { PortalId: portal.peer!.portalId, Name: "inbox", Text: "asked", Mode: "ask-sender" };
    const done = await within("the call", caller.ask(StringSchema, (port) => ({ ...call, Done: port })));
    assert.equal(done.value, "asked, answered");
  });

  test("the server asks with a reply port inside its message: portal.replyPort answers it", async () => {
    const portal = await connectTo();
    const quizzed = portal.publish("quizzed", QuizSchema);
    quizzed.messages.subscribe((quiz) => portal.replyPort(quiz.Reply).reply(EchoSchema, { Text: `${quiz.Text}: 42` }));
    const caller = await portal.lookup("caller", CallBackSchema);
    const call = { PortalId: portal.peer!.portalId, Name: "quizzed", Text: "the answer", Mode: "ask-port" };
    const done = await within("the call", caller.ask(StringSchema, (port) => ({ ...call, Done: port })));
    assert.equal(done.value, "the answer: 42");
  });

  test("a client with an idle timeout of 1 s: the server keeps alive at a sixth of the smaller timeout too", async () => {
    const portal = await connectTo({ idleTimeoutMs: 1_000 });
    const start = portal.counters.framesIn;
    // The server sends a KeepAlive after two ticks of 167 ms without sending: 8 frames take about 2.7 s, over twice 1 s.
    await waitFor("8 frames from the server", () => portal.counters.framesIn - start >= 8 || !portal.isOpen);
    assert.equal(portal.isOpen, true, JSON.stringify(portal.closeReason));
  });

  test("release() sends Release: the server drops the publication it made for the client", async () => {
    const portal = await connectTo();
    const factory = await portal.lookup("factory", MakeCounterSchema);
    const made = await within("a counter", factory.ask(CounterMadeSchema, (port) => ({ Reply: port })));
    const counter = portal.remote(made.Counter, CounterCommandSchema);
    const before = (await statsOf(portal)).Publications;
    counter.release();
    assert.deepEqual(await within("released", counter.terminated), { kind: "Released" });
    await waitFor("the server to drop the counter's publication", async () => (await statsOf(portal)).Publications === before - 1);
    assert.throws(() => counter.tell({ subtype: { case: "StopCounter", value: {} } }), InvalidReferenceError);
  });

  test("closing a local actor the server holds sends Terminated: the server's proxy for it stops", async () => {
    const portal = await connectTo();
    const echo = await portal.lookup("echo", EchoSchema);
    const me = portal.anonymous(EchoSchema);
    const answered = firstValueFrom(me.messages);
    echo.tell({ Text: "hold me", ReplyTo: me.ref });
    await within("the echo", answered);
    const holding = (await statsOf(portal)).Proxies;
    me.close();
    assert.equal(me.isClosed, true);
    await waitFor("the server to drop its proxy", async () => (await statsOf(portal)).Proxies === holding - 1);
  });

  test("a remote ref whose handles and message are garbage-collected is released: the server drops the publication", async () => {
    const portal = await connectTo();
    const before = (await statsOf(portal)).Publications;
    await (async () => {
      const factory = await portal.lookup("factory", MakeCounterSchema);
      const made = await within("a counter", factory.ask(CounterMadeSchema, (port) => ({ Reply: port })));
      portal.remote(made.Counter, CounterCommandSchema);
      factory.release();
    })();
    await waitFor("the server to drop both publications", async () => {
      collectGarbage();
      await new Promise((resolve) => setImmediate(resolve));
      return (await statsOf(portal)).Publications === before;
    });
  });

  test("a message whose frame is over the server's MaxFrameBytes is refused before it leaves; the portal stays open", async () => {
    const portal = await connectTo();
    const echo = await portal.lookup("echo", EchoSchema);
    assert.throws(() => echo.tell({ Text: "x".repeat(1024 * 1024) }), (error: unknown) => {
      assert.ok(error instanceof LimitExceededError);
      assert.equal(error.limit, "MaxFrameBytes");
      return true;
    });
    const answer = await within("the echo", echo.askSender(EchoSchema, { Text: "still open" }));
    assert.equal(answer.Text, "still open");
  });

  test("close(reason) says Goodbye: closed resolves ClosedLocally, pending asks reject, the server drops the portal", async () => {
    const portal = await connectTo();
    const observer = await connectTo();
    const echo = await portal.lookup("echo", EchoSchema);
    const pending = echo.ask(EchoSchema, () => ({ Text: "never answered" }), { timeoutMs: 60_000 });
    const failed = pending.then(
      () => assert.fail("the ask resolved"),
      (error: unknown) => error,
    );
    const reason = await portal.close("done here");
    assert.deepEqual(reason, { kind: "ClosedLocally", message: "done here" });
    assert.deepEqual(await portal.closed, reason);
    assert.ok((await failed) instanceof PortalClosedError);
    assert.throws(() => echo.tell({ Text: "late" }), PortalClosedError);
    await waitFor("the server to drop the portal", async () => !(await statsOf(portal, observer)).Found);
  });
});

describe("keep-alives and the end of the server", () => {
  test("with the server's idle timeout of 900 ms, the client keeps the portal alive at a sixth of it", async () => {
    const server = await startServer(["--idle-ms", "900"]);
    try {
      const portal = await within("connect", open(server.url));
      assert.equal(portal.peer?.idleTimeoutMs, 900);
      // 8 keep-alives at 150 ms ticks (one per 300 ms of silence): over twice the server's 900 ms idle timeout.
      await waitFor("8 keep-alives", () => portal.counters.keepAlivesSent >= 8 || !portal.isOpen);
      assert.equal(portal.isOpen, true, `the portal closed: ${JSON.stringify(portal.closeReason)}`);
      const adder = await portal.lookup("adder", AddSchema);
      assert.equal((await within("the sum", adder.ask(Int32Schema, (port) => ({ A: 1, B: 1, Reply: port })))).value, 2);
      await portal.close();
    } finally {
      await server.stop();
    }
  });

  test("the server shutting down (SIGTERM) says Goodbye: closed resolves ClosedByPeer with its reason", async () => {
    const server = await startServer();
    try {
      const portal = await within("connect", open(server.url));
      const echo = await portal.lookup("echo", EchoSchema);
      void server.stop("SIGTERM");
      const reason = await within("the close", portal.closed, Bounds.serverStart);
      assert.equal(reason.kind, "ClosedByPeer");
      assert.match(reason.message, /shutting down/);
      assert.deepEqual(await echo.terminated, { kind: "PortalClosed", reason });
    } finally {
      await server.stop("SIGKILL");
    }
  });

  test("the server killed (SIGKILL): closed resolves with the lost connection, pending asks and refs end with it", async () => {
    const server = await startServer();
    try {
      const portal = await within("connect", open(server.url));
      const echo = await portal.lookup("echo", EchoSchema);
      const pending = echo.ask(EchoSchema, () => ({ Text: "never answered" }), { timeoutMs: 60_000 });
      const failed = pending.then(
        () => assert.fail("the ask resolved"),
        (error: unknown) => error,
      );
      await server.stop("SIGKILL");
      const reason = await within("the close", portal.closed);
      assert.ok(reason.kind === "ConduitFailed" || reason.kind === "ConduitCompleted", JSON.stringify(reason));
      const error = await failed;
      assert.ok(error instanceof PortalClosedError && error.reason === reason, String(error));
      assert.deepEqual(await echo.terminated, { kind: "PortalClosed", reason });
    } finally {
      await server.stop("SIGKILL");
    }
  });

  test("connecting to a port nobody listens on rejects with PortalClosedError (ConduitFailed)", async () => {
    const server = await startServer();
    const url = server.url;
    await server.stop("SIGKILL");
    await assert.rejects(within("the refusal", open(url)), (error: unknown) => {
      assert.ok(error instanceof PortalClosedError, String(error));
      assert.equal(error.reason.kind, "ConduitFailed");
      return true;
    });
  });
});
