// The length-prefix framing (docs/protocol.md, "Framing"): the reader atop the writer is the identity, whatever the
// chunk boundaries, and a length over the limit fails before its body is read.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameReader, FrameTooLargeError, lengthPrefixed } from "../src/framing.js";

const frames = [new Uint8Array([]), new Uint8Array([1]), new Uint8Array(300).map((_, i) => i % 251), new Uint8Array([7, 8, 9])];
const stream = (): Uint8Array => {
  const parts = frames.map(lengthPrefixed);
  const all = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
};

test("FrameReader returns the frames written, cut at every boundary into two chunks and into single bytes", () => {
  const bytes = stream();
  for (let cut = 0; cut <= bytes.length; cut++) {
    const reader = new FrameReader(1024);
    const read = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
    assert.deepEqual(read, frames, `cut at ${cut}`);
  }
  const reader = new FrameReader(1024);
  const read = [...bytes].flatMap((byte) => reader.push(new Uint8Array([byte])));
  assert.deepEqual(read, frames);
});

test("FrameReader fails on a length over its limit as soon as the 4 bytes of the prefix are there", () => {
  const reader = new FrameReader(1024);
  assert.deepEqual(reader.push(new Uint8Array([0, 0, 4])), []);
  assert.throws(() => reader.push(new Uint8Array([1])), (error: unknown) => error instanceof FrameTooLargeError && error.announced === 1025);
  assert.deepEqual(new FrameReader(1025).push(new Uint8Array([0, 0, 4, 1])), [], "1,025 within a 1,025 limit waits for its body");
});
