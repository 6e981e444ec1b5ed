// connect(): the WebSocket it uses and how connecting ends early.
import assert from "node:assert/strict";
import { test } from "node:test";
import WebSocket from "ws";
import { connect } from "../src/index.js";
import { within } from "./support/bounds.js";
import { hostilePeer } from "./support/hostile.js";

test("without a WebSocket option and no global WebSocket, connect rejects with a TypeError that says what to pass", async () => {
  const global = Object.getOwnPropertyDescriptor(globalThis, "WebSocket"); // Node 20 has none, Node 22 has one
  Object.defineProperty(globalThis, "WebSocket", { value: undefined, configurable: true, writable: true });
  try {
    await assert.rejects(connect("ws://127.0.0.1:9/ws"), (error: unknown) => error instanceof TypeError && /options\.WebSocket/.test(error.message));
  } finally {
    if (global === undefined) {
      delete (globalThis as { WebSocket?: unknown }).WebSocket;
    } else {
      Object.defineProperty(globalThis, "WebSocket", global);
    }
  }
});

test("aborting while the handshake waits rejects with the signal's reason and closes the socket", async () => {
  const peer = await hostilePeer(() => undefined); // accepts the socket, never says Hello
  try {
    const abort = new AbortController();
    const connecting = connect(peer.url, { WebSocket, signal: abort.signal });
    const failed = connecting.then(
      () => assert.fail("connected"),
      (error: unknown) => error,
    );
    await within("the client's Hello", new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (peer.received.length > 0) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    }));
    abort.abort(new Error("the user left"));
    assert.match(String(await failed), /the user left/);
    assert.equal((await within("the close", peer.closed)).code, 1000);
  } finally {
    await peer.stop();
  }
});
