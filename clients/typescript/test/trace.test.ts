// Traces across the portal from Node (the browser's twin is browser-trace.test.ts): the README's snippet against the
// conformance server started with --trace, whose Wormhole spans make the replies carry the server's receive span.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { firstValueFrom } from "rxjs";
import WebSocket from "ws";
import { connect, newTraceparent, spanIdOf, traceIdOf } from "../src/index.js";
import type { Portal, TraceContext } from "../src/index.js";
import { AddSchema, CallBackSchema, EchoSchema, Int32Schema, StringSchema } from "./gen/conformance_pb.js";
import { within } from "./support/bounds.js";
import { startServer } from "./support/server.js";
import type { RunningServer } from "./support/server.js";

let server: RunningServer;
let portal: Portal;

before(async () => {
  server = await startServer(["--trace"]);
  portal = await within("connect", connect(server.url, { WebSocket }));
});
after(async () => {
  await portal?.close();
  await server?.stop();
});

test("an ask with a trace context is answered in the same trace, and a delivery shows the trace it came with", async () => {
  const adder = await within("lookup", portal.lookup("adder", AddSchema));
  const inbox = portal.publish("inbox", EchoSchema);
  const seen: (string | undefined)[] = [];
  const show = (_text: string, traceparent: string | undefined): void => void seen.push(traceparent);

  // snippet: ts-client-trace
  const trace = { traceparent: newTraceparent() }; // a new trace (crypto.getRandomValues); newTraceparent(parent): a child
  let answeredIn: TraceContext | undefined; // the server's receive span, a child of `trace`
  const sum = await adder.ask(Int32Schema, (port) => ({ A: 2, B: 3, Reply: port }), { trace, onReplyTrace: (t) => (answeredIn = t) });
  inbox.deliveries.subscribe(({ message, trace }) => show(message.Text, trace?.traceparent)); // the sender's span, if any
  // end snippet

  assert.equal(sum.value, 5);
  assert.ok(answeredIn !== undefined, "the reply came with a trace context");
  assert.equal(traceIdOf(answeredIn), traceIdOf(trace));
  assert.notEqual(spanIdOf(answeredIn), spanIdOf(trace));

  const told = firstValueFrom(inbox.deliveries);
  const caller = await within("lookup", portal.lookup("caller", CallBackSchema));
  const done = await within("the call", caller.ask(StringSchema, (port) => ({ PortalId: portal.peer!.portalId, Name: "inbox", Text: "traced", Done: port })));
  assert.equal(done.value, "told");
  assert.ok((await within("the tell", told)).trace !== undefined, "the server's tell from inside its span carried it");
  assert.equal(seen.length, 1);
  assert.match(seen[0] ?? "", /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
});
