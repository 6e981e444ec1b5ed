/** The bytes a frame is sent as: its length (4 bytes, big-endian) and the frame. */
export function lengthPrefixed(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + frame.length);
  new DataView(out.buffer).setUint32(0, frame.length, false);
  out.set(frame, 4);
  return out;
}

/** A length prefix announced a frame over the limit. */
export class FrameTooLargeError extends Error {
  readonly announced: number;

  constructor(announced: number, limit: number) {
    super(`a frame of ${announced} bytes is over the limit of ${limit} bytes`);
    this.name = "FrameTooLargeError";
    this.announced = announced;
  }
}

/**
 * Cuts a byte stream (WebSocket messages read as one stream) into frames: each is preceded by its length, a 4-byte
 * big-endian unsigned integer. A length over maxFrameBytes throws before the body is read.
 */
export class FrameReader {
  private pending: Uint8Array = new Uint8Array(0);

  constructor(private readonly maxFrameBytes: number) {}

  /** The whole frames that `chunk` completes, in order; a partial frame waits for the next chunk. */
  push(chunk: Uint8Array): Uint8Array[] {
    let buffer = chunk;
    if (this.pending.length > 0) {
      buffer = new Uint8Array(this.pending.length + chunk.length);
      buffer.set(this.pending, 0);
      buffer.set(chunk, this.pending.length);
    }

    const frames: Uint8Array[] = [];
    let at = 0;
    while (buffer.length - at >= 4) {
      const length = new DataView(buffer.buffer, buffer.byteOffset + at, 4).getUint32(0, false);
      if (length > this.maxFrameBytes) {
        throw new FrameTooLargeError(length, this.maxFrameBytes);
      }
      if (buffer.length - at - 4 < length) {
        break;
      }
      frames.push(buffer.subarray(at + 4, at + 4 + length));
      at += 4 + length;
    }
    this.pending = buffer.slice(at);
    return frames;
  }
}
