// Traces across the portal, browser side: a real Chromium tab (Debian's chromium through playwright-core) runs the
// client bundled from src/ against the conformance server started with --trace, which prints every span of Wormhole's
// ActivitySource as it ends. The tab asks with a traceparent and a server actor tells the tab from inside a span; both
// directions must stay in one trace.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as esbuild from "esbuild";
import type { Browser, Page } from "playwright-core";
import { spanIdOf, traceIdOf } from "../src/index.js";
// @ts-expect-error: a plain ES module script without types
import { browserBundle } from "../../scripts/browser-bundle.mjs";
import { Bounds, waitFor } from "./support/bounds.js";
import { launchChromium } from "./support/chromium.js";
import { packageRoot } from "./support/paths.js";
import { startServer } from "./support/server.js";
import type { RunningServer } from "./support/server.js";

/** The client and the conformance contracts, as one script that puts them on `window` for page.evaluate. */
const page = `
import * as wormhole from "@wormhole/client";
import * as contracts from "./test/gen/conformance_pb.ts";
window.wormhole = wormhole;
window.contracts = contracts;
`;

interface Span {
  name: string;
  kind: string;
  trace: string;
  span: string;
  parent: string;
}

let server: RunningServer;
let browser: Browser;
let tab: Page;

before(async () => {
  server = await startServer(["--trace"]);
  browser = await launchChromium();
  tab = await browser.newPage();
  const bundle = await esbuild.build({ ...browserBundle(packageRoot), stdin: { contents: page, resolveDir: packageRoot, loader: "ts" } });
  // An empty page of the server's own origin (--trace serves it): Chromium's local network access checks refuse a
  // WebSocket to 127.0.0.1 from about:blank.
  await tab.goto(server.url.replace(/^ws/, "http").replace(/\/ws$/, "/trace.html"));
  await tab.addScriptTag({ content: bundle.outputFiles![0]!.text, type: "module" });
  await tab.waitForFunction(() => "wormhole" in window, undefined, { timeout: Bounds.quick });
});
after(async () => {
  await browser?.close();
  await server?.stop("SIGKILL");
});

/** The spans the server printed so far. */
function spans(): Span[] {
  return server.output
    .flatMap((text) => text.split("\n"))
    .map((line) => /^span (.+) kind (\w+) trace ([0-9a-f]{32}) span ([0-9a-f]{16}) parent ([0-9a-f]{16})$/.exec(line.trim()))
    .filter((match) => match !== null)
    .map((match) => ({ name: match[1]!, kind: match[2]!, trace: match[3]!, span: match[4]!, parent: match[5]! }));
}

async function span(what: string, match: (span: Span) => boolean): Promise<Span> {
  await waitFor(`the server's span ${what}`, () => spans().some(match));
  return spans().find(match)!;
}

test("an ask from the tab with a traceparent: the server's receive span is its child, and the reply comes back in the same trace", async () => {
  const result = await tab.evaluate(async (url) => {
    const { connect, newTraceparent } = (window as any).wormhole;
    const { AddSchema, Int32Schema } = (window as any).contracts;
    const portal = await connect(url);
    const adder = await portal.lookup("adder", AddSchema);
    const traceparent: string = newTraceparent();
    let replyTrace: string | undefined;
    const sum = await adder.ask(Int32Schema, (port: unknown) => ({ A: 2, B: 3, Reply: port }), {
      trace: { traceparent },
      onReplyTrace: (trace: { traceparent: string }) => (replyTrace = trace.traceparent),
    });
    await portal.close();
    return { traceparent, sum: sum.value as number, replyTrace };
  }, server.url);

  assert.equal(result.sum, 5);
  const receive = await span("receive Add", (s) => s.name === "receive Add" && s.trace === traceIdOf(result.traceparent));
  assert.equal(receive.kind, "Server");
  assert.equal(receive.parent, spanIdOf(result.traceparent), "the receive span's parent is the tab's span");
  assert.ok(result.replyTrace, "the reply carried a trace context");
  assert.equal(traceIdOf(result.replyTrace), traceIdOf(result.traceparent), "the reply is in the tab's trace");
  assert.equal(spanIdOf(result.replyTrace), receive.span, "the reply's parent is the server's receive span");
  console.log(`tab ${result.traceparent} -> server ${receive.name} (${receive.kind}) trace ${receive.trace} span ${receive.span} parent ${receive.parent} -> reply ${result.replyTrace}`);
});

test("a server actor that tells the tab's actor from inside a span: the tab's handler sees that trace", async () => {
  const result = await tab.evaluate(async (url) => {
    const { connect } = (window as any).wormhole;
    const { CallBackSchema, EchoSchema, StringSchema } = (window as any).contracts;
    const portal = await connect(url);
    const inbox = portal.publish("inbox", EchoSchema);
    const heard = new Promise<{ text: string; traceparent: string | undefined }>((resolve) =>
      inbox.deliveries.subscribe((delivery: { message: { Text: string }; trace?: { traceparent: string } }) =>
        resolve({ text: delivery.message.Text, traceparent: delivery.trace?.traceparent }),
      ),
    );
    const caller = await portal.lookup("caller", CallBackSchema);
    const done = await caller.ask(StringSchema, (port: unknown) => ({ PortalId: portal.peer.portalId, Name: "inbox", Text: "traced", Done: port }));
    const told = await heard;
    await portal.close();
    return { done: done.value as string, ...told };
  }, server.url);

  assert.equal(result.done, "told");
  assert.equal(result.text, "traced");
  assert.ok(result.traceparent, "the delivery came with a trace context");
  const send = await span("send Echo", (s) => s.name === "send Echo" && s.span === spanIdOf(result.traceparent!));
  const callback = await span("callback", (s) => s.name === "callback" && s.span === send.parent);
  assert.equal(traceIdOf(result.traceparent!), callback.trace, "the tab's handler is in the server actor's trace");
  assert.equal(send.kind, "Producer");
  console.log(`server callback trace ${callback.trace} span ${callback.span} -> ${send.name} span ${send.span} -> tab handler ${result.traceparent}`);
});
