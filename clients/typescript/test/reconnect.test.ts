// Reconnecting with backoff (`reconnecting`): against the .NET conformance server, killed and restarted on the same port,
// and against a hostile server whose fault must not be retried. Short delays keep the tests fast; every wait is for a
// condition.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, describe, test } from "node:test";
import WebSocket from "ws";
import { reconnecting, reconnectsAfter } from "../src/index.js";
import type { ConnectionState, Portal, ReconnectingPortal } from "../src/index.js";
import { EchoSchema } from "./gen/conformance_pb.js";
import { Bounds, waitFor, within } from "./support/bounds.js";
import { hostilePeer } from "./support/hostile.js";
import { startServer } from "./support/server.js";
import type { RunningServer } from "./support/server.js";

/** Records every state `connection` goes through, and whether the states completed. */
function record(connection: ReconnectingPortal): { states: ConnectionState[]; completed: () => boolean } {
  const states: ConnectionState[] = [];
  let completed = false;
  connection.states.subscribe({ next: (state) => states.push(state), complete: () => (completed = true) });
  return { states, completed: () => completed };
}

const reconnectingStates = (states: ConnectionState[]) =>
  states.filter((state): state is Extract<ConnectionState, { kind: "reconnecting" }> => state.kind === "reconnecting");
const portalsIn = (states: ConnectionState[]): Portal[] =>
  states.flatMap((state) => (state.kind === "connected" ? [state.portal] : []));

/** Says "echo" to the portal's server and returns the answer's text. */
async function echo(portal: Portal, text: string): Promise<string> {
  const ref = await within("the lookup", portal.lookup("echo", EchoSchema));
  return (await within("the echo", ref.askSender(EchoSchema, { Text: text }))).Text;
}

/** A port on 127.0.0.1 where nothing listens (one just freed). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address !== null ? address.port : 0;
}

describe("reconnecting to the .NET server", () => {
  let server: RunningServer | undefined;
  let connection: ReconnectingPortal | undefined;
  after(async () => {
    await connection?.close("done");
    await server?.stop("SIGKILL");
  });

  test("a killed server: reconnecting states with growing delays; restarted on the same port, a new portal that works", async () => {
    server = await startServer();
    const port = new URL(server.url).port;
    connection = reconnecting(server.url, { WebSocket, reconnect: { initialDelayMs: 50, maxDelayMs: 1_000, factor: 2, jitter: 0.2 } });
    const { states } = record(connection);
    const first = await within("the first portal", new Promise<Portal>((resolve) => connection!.portals.subscribe(resolve)));
    assert.equal(states[0]?.kind, "connecting");
    assert.equal(await echo(first, "before"), "before");

    await server.stop("SIGKILL");
    await waitFor("4 attempts", () => reconnectingStates(states).length >= 4);
    const lost = await first.closed;
    assert.ok(["ConduitFailed", "ConduitCompleted"].includes(lost.kind), `the first portal's close: ${lost.kind}`);
    const waits = reconnectingStates(states).slice(0, 4);
    assert.deepEqual(waits.map((state) => state.attempt), [1, 2, 3, 4]);
    assert.equal(waits[0]!.reason.kind, lost.kind, "the first wait says why the portal closed");
    assert.equal(waits[1]!.reason.kind, "ConduitFailed", "the later ones say why the attempt failed: nothing listens");
    for (let i = 1; i < waits.length; i++) {
      assert.ok(waits[i]!.delayMs > waits[i - 1]!.delayMs, `delays grow: ${waits.map((state) => state.delayMs).join(", ")}`);
    }
    assert.ok(waits.every((state, i) => state.delayMs <= 50 * 2 ** i && state.delayMs >= 0.8 * 50 * 2 ** i), "within the jitter");
    assert.equal(connection.current, undefined);

    server = await startServer(["--port", port]);
    await waitFor("a second portal", () => portalsIn(states).length === 2, Bounds.quick * 2);
    const second = connection.current!;
    assert.notEqual(second, first);
    assert.equal(second.isOpen, true);
    assert.equal(await echo(second, "after"), "after");
    assert.equal(states.at(-1)?.kind, "connected");
  });

  test("the server's Goodbye (an orderly shutdown) is reconnected after; close() while waiting stops it for good", async () => {
    assert.ok(server !== undefined && connection !== undefined, "runs after the test above");
    const { states, completed } = record(connection);
    const portal = connection.current!;
    await server.stop("SIGTERM");
    assert.equal((await portal.closed).kind, "ClosedByPeer");
    await waitFor("a reconnecting state", () => reconnectingStates(states).length >= 1);
    assert.equal(reconnectingStates(states)[0]!.reason.kind, "ClosedByPeer");

    const reason = await connection.close("the user left");
    assert.deepEqual(reason, { kind: "ClosedLocally", message: "the user left" });
    assert.deepEqual(states.at(-1), { kind: "closed", reason });
    assert.equal(completed(), true, "states complete once closed");
    assert.equal(await connection.closed, reason);
    assert.equal(connection.current, undefined);
    server = undefined;
  });
});

describe("reconnecting: the README's example", () => {
  test("states for a UI, and each new portal set up again", async () => {
    const server = await startServer();
    const url = server.url;
    const status = { textContent: "" }; // a page's element
    const shown: string[] = [];
    const replies: string[] = [];
    try {
      // snippet: ts-client-reconnect
      const connection = reconnecting(url, { WebSocket, reconnect: { initialDelayMs: 500, maxDelayMs: 30_000 } });
      connection.states.subscribe((state) => {
        // connecting, connected, reconnecting (attempt, delayMs, reason), closed (reason): for the page to show
        status.textContent = state.kind === "reconnecting" ? `reconnecting in ${state.delayMs} ms (attempt ${state.attempt})…` : state.kind;
      });
      connection.portals.subscribe(async (portal) => {
        // a new portal after each reconnect: what the last one held is gone, so look up (and publish) again
        const echo = await portal.lookup("echo", EchoSchema);
        replies.push((await echo.askSender(EchoSchema, { Text: "hello again" })).Text);
      });
      // end snippet
      connection.states.subscribe(() => shown.push(status.textContent));
      await waitFor("the echo", () => replies.length === 1);
      assert.deepEqual(replies, ["hello again"]);
      await connection.close("bye");
      assert.deepEqual(shown, ["connecting", "connected", "closed"]);
    } finally {
      await server.stop();
    }
  });
});

describe("reconnecting: giving up and not retrying", () => {
  test("maxAttempts: with nothing listening, 3 attempts, then closed with the last failure", async () => {
    const connection = reconnecting(`ws://127.0.0.1:${await freePort()}/ws`, { WebSocket, reconnect: { initialDelayMs: 10, maxAttempts: 3 } });
    const { states, completed } = record(connection);
    const reason = await within("giving up", connection.closed);
    assert.equal(reason.kind, "ConduitFailed");
    assert.deepEqual(states.map((state) => (state.kind === "reconnecting" ? `reconnecting ${state.attempt}` : state.kind)), [
      "connecting",
      "reconnecting 1",
      "reconnecting 2",
      "reconnecting 3",
      "closed",
    ]);
    assert.equal(completed(), true);
  });

  test("the signal stops it as close() does", async () => {
    const abort = new AbortController();
    const connection = reconnecting(`ws://127.0.0.1:${await freePort()}/ws`, { WebSocket, signal: abort.signal, reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    const { states } = record(connection);
    await waitFor("the first wait", () => states.some((state) => state.kind === "reconnecting"));
    abort.abort();
    assert.equal((await within("the close", connection.closed)).kind, "ClosedLocally");
  });

  test("the client's own protocol fault is not retried: one connection, then closed with ProtocolViolation", async () => {
    let connections = 0;
    const peer = await hostilePeer((socket) => {
      connections++;
      socket.hello();
      socket.sendRaw(new Uint8Array([0, 0, 0, 2, 0xff, 0xff])); // a frame that is not protobuf
    });
    try {
      const connection = reconnecting(peer.url, { WebSocket, reconnect: { initialDelayMs: 10 } });
      const reason = await within("the close", connection.closed);
      assert.equal(reason.kind, "ProtocolViolation");
      assert.equal(connections, 1);
      assert.equal(connection.state.kind, "closed");
    } finally {
      await peer.stop();
    }
  });

  test("a Goodbye for good (the server turned this client away) is not retried: one connection, closed with final", async () => {
    let connections = 0;
    const peer = await hostilePeer((socket) => {
      connections++;
      socket.hello();
      socket.send({ subtype: { case: "Goodbye", value: { Reason: "signed out", Final: true } } });
    });
    try {
      const connection = reconnecting(peer.url, { WebSocket, reconnect: { initialDelayMs: 10 } });
      const reason = await within("the close", connection.closed);
      assert.deepEqual(reason, { kind: "ClosedByPeer", message: "signed out", final: true });
      assert.equal(connections, 1);
    } finally {
      await peer.stop();
    }
  });

  test("a portal closed by this side's code is not retried either", async () => {
    const peer = await hostilePeer((socket) => socket.hello());
    try {
      const connection = reconnecting(peer.url, { WebSocket });
      const portal = await within("the portal", new Promise<Portal>((resolve) => connection.portals.subscribe(resolve)));
      await portal.close("done with it");
      assert.equal((await within("the close", connection.closed)).kind, "ClosedLocally");
    } finally {
      await peer.stop();
    }
  });

  test("the rule: connection losses, the server's Goodbye, an idle or handshake timeout reconnect; faults do not", () => {
    const after = (kind: Parameters<typeof reconnectsAfter>[0]["kind"], code?: string) =>
      reconnectsAfter({ kind, message: "", ...(code === undefined ? {} : { code }) });
    assert.deepEqual(
      [after("ConduitFailed"), after("ConduitCompleted"), after("ClosedByPeer"), after("LimitExceeded", "IdleTimeout"), after("HandshakeFailed", "handshake-timeout")],
      [true, true, true, true, true],
    );
    assert.deepEqual(
      [after("ClosedLocally"), after("PeerError", "bad-payload"), after("ProtocolViolation", "malformed-frame"), after("LimitExceeded", "MaxProxies"), after("HandshakeFailed", "version-mismatch")],
      [false, false, false, false, false],
    );
    assert.equal(reconnectsAfter({ kind: "ClosedByPeer", message: "", final: true }), false);
  });

  test("a bad URL or policy throws at once", () => {
    assert.throws(() => reconnecting("not a url", { WebSocket }), TypeError);
    assert.throws(() => reconnecting("ws://127.0.0.1:1/ws", { WebSocket, reconnect: { jitter: 2 } }), RangeError);
  });
});
