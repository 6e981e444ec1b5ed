import assert from "node:assert/strict";
import { test } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { prefixedDeliverFrame } from "../src/deliver-frame.js";
import { lengthPrefixed } from "../src/framing.js";
import { FrameSchema } from "../src/gen/wormhole_pb.js";

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
