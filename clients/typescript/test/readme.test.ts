// The README's "Browser / TypeScript client" example, run against the chat sample's server (Samples/Chat/Chat.Server).
// readme-snippets.test.ts checks that the README shows exactly the code between the snippet markers.
// snippet: ts-client-imports
import { connect } from "@wormhole/client";
import { filter, firstValueFrom } from "rxjs";
import WebSocket from "ws"; // Node: the ws package; in a browser, leave the WebSocket option out
import { AckSchema, ChatClientSchema, ChatHubSchema, ChatRoomSchema, WelcomeSchema } from "./gen/chat_pb.js";
// end snippet
import { HistoryLinesSchema } from "./gen/chat_pb.js";
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor, within } from "./support/bounds.js";
import { startChatServer } from "./support/server.js";
import type { RunningServer } from "./support/server.js";

let server: RunningServer;
before(async () => {
  server = await startChatServer();
});
after(async () => {
  await server?.stop();
});

async function example(url: string) {
  // snippet: ts-client-chat
  const portal = await connect(url, { WebSocket }); // url: the chat server's endpoint, e.g. ws://localhost:5000/chat
  const hub = await portal.lookup("chat", ChatHubSchema); // a typed reference to what the server published as "chat"

  // A local actor: what the server tells it arrives as an RxJS Observable.
  const me = portal.anonymous(ChatClientSchema);
  const posted = firstValueFrom(me.messages.pipe(filter((event) => event.subtype.case === "MessagePosted")));

  // Ask with a reply port inside the message; me.ref travels as a reference the server can tell.
  const welcome = await hub.ask(
    WelcomeSchema,
    (port) => ({ subtype: { case: "Connect", value: { Client: me.ref, Reply: port, Alias: "ada" } } }),
    { timeoutMs: 10_000 },
  );
  const room = portal.remote(welcome.Room, ChatRoomSchema); // a reference the server handed over
  const ack = await room.ask(AckSchema, (port) => ({ subtype: { case: "Post", value: { Text: "hello", Reply: port } } }));
  const event = await posted; // the server's push to `me`: ChatClient { MessagePosted { From: "ada", Text: "hello" } }

  const reason = await portal.close("bye"); // a Goodbye; portal.closed resolves with the reason
  // end snippet
  return { welcome, ack, event, reason };
}

test("the README's TypeScript example joins the chat sample's server, posts, gets the push and says goodbye", async () => {
  const { welcome, ack, event, reason } = await within("the example", example(server.url));
  assert.equal(welcome.Alias, "ada");
  assert.deepEqual(welcome.Online, ["ada"]);
  assert.equal(ack.Accepted, true);
  assert.equal(event.subtype.case, "MessagePosted");
  assert.deepEqual(event.subtype.case === "MessagePosted" ? [event.subtype.value.From, event.subtype.value.Text] : [], ["ada", "hello"]);
  assert.equal(reason.kind, "ClosedLocally");
});

test("the chat's /history answer holds a stream: the client cancels it, the server ends it, nothing counts as unknown", async () => {
  const portal = await within("connect", connect(server.url, { WebSocket }));
  try {
    const hub = await portal.lookup("chat", ChatHubSchema);
    const me = portal.anonymous(ChatClientSchema);
    const welcome = await within("the welcome", hub.ask(WelcomeSchema, (port) => ({ subtype: { case: "Connect", value: { Client: me.ref, Reply: port, Alias: "bo" } } })));
    const room = portal.remote(welcome.Room, ChatRoomSchema);
    const history = await within("the history", room.ask(HistoryLinesSchema, (port) => ({ subtype: { case: "ReadHistory", value: { Reply: port } } })));
    assert.ok(history.Lines !== undefined, "the answer carries a stream");
    await waitFor("the server's StreamEnd for the cancelled stream", () => portal.counters.cancelledStreamsEnded === 1);
    assert.deepEqual([portal.counters.streamsCancelled, portal.counters.unknownRequests, portal.isOpen], [1, 0, true]);
  } finally {
    await portal.close();
  }
});
