import assert from "node:assert/strict";
import { test } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { prefixedDeliverFrame } from "../src/deliver-frame.js";
import { lengthPrefixed } from "../src/framing.js";
import { FrameSchema } from "../src/gen/wormhole_pb.js";
import { isTraceparent, newTraceparent, spanIdOf, traceIdOf } from "../src/trace.js";

test("a tell's Deliver frame written by hand is byte for byte what protobuf-es writes, behind its length prefix", () => {
  const ids = [
    { high: 0n, low: 0n },
    { high: 1n, low: 0n },
    { high: 0n, low: 0xffff_ffff_ffff_ffffn },
    { high: 0x0123_4567_89ab_cdefn, low: 0xfedc_ba98_7654_3210n },
  ];
  const sizes = [0, 1, 100, 127, 128, 16_383, 16_384, 70_000, 2_100_000];
  for (const target of ids) {
    for (const size of sizes) {
      const payload = Uint8Array.from({ length: size }, (_, i) => (i * 31 + size) % 256);
      const expected = lengthPrefixed(toBinary(FrameSchema, create(FrameSchema, {
        subtype: { case: "Deliver", value: { Target: { High: target.high, Low: target.low }, Payload: payload } },
      })));

      assert.deepEqual(prefixedDeliverFrame(target, payload), expected, `target ${target.high}/${target.low}, payload of ${size} bytes`);
    }
  }
});

test("a tell's Deliver frame with a trace context is byte for byte what protobuf-es writes for TraceParent and TraceState", () => {
  const target = { high: 0x0123_4567_89ab_cdefn, low: 7n };
  const traceparent = newTraceparent();
  const traces = [
    { traceparent },
    { traceparent, tracestate: "" },
    { traceparent, tracestate: "vendor=a,other=b" },
    { traceparent, tracestate: "k=" + "v".repeat(510) }, // 512 characters: a 2-byte length
  ];
  for (const trace of traces) {
    for (const size of [0, 1, 200]) {
      const payload = Uint8Array.from({ length: size }, (_, i) => i % 256);
      const expected = lengthPrefixed(toBinary(FrameSchema, create(FrameSchema, {
        subtype: { case: "Deliver", value: { Target: { High: target.high, Low: target.low }, Payload: payload, TraceParent: trace.traceparent, TraceState: trace.tracestate ?? "" } },
      })));

      assert.deepEqual(prefixedDeliverFrame(target, payload, trace), expected, `tracestate of ${trace.tracestate?.length} characters, payload of ${size} bytes`);
    }
  }
});

test("newTraceparent makes a valid W3C traceparent: a new trace, or a child that keeps its parent's trace id and flags", () => {
  const root = newTraceparent();
  assert.ok(isTraceparent(root), root);
  assert.match(root, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  assert.notEqual(traceIdOf(newTraceparent()), traceIdOf(root));
  assert.match(newTraceparent(undefined, false), /-00$/);
  const child = newTraceparent({ traceparent: root });
  assert.equal(traceIdOf(child), traceIdOf(root));
  assert.notEqual(spanIdOf(child), spanIdOf(root));
  assert.ok(!isTraceparent(`00-${"0".repeat(32)}-${spanIdOf(root)}-01`), "an all-zero trace id");
  assert.ok(!isTraceparent(root.toUpperCase()), "uppercase");
  assert.ok(!isTraceparent(`01-${root.slice(3)}`), "another version");
  assert.throws(() => newTraceparent("not a traceparent"), TypeError);
});
