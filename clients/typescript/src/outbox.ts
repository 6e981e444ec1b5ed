/** A sender joins the frames waiting for the socket into one WebSocket message up to this size. */
export const joinBytes = 64 * 1024;

/**
 * The frames waiting for the socket, each length-prefixed. `take` empties it into WebSocket messages: frames joined up to
 * 64 KiB per message, a larger frame alone (docs/protocol.md, "Framing").
 */
export class Outbox {
  #frames: Uint8Array[] = [];
  #bytes = 0;

  /** The bytes waiting, prefixes included. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Queues one frame, already behind its length prefix (`lengthPrefixed`). */
  push(prefixed: Uint8Array): void {
    this.#frames.push(prefixed);
    this.#bytes += prefixed.length;
  }

  /** Drops everything waiting (an Error goes ahead of it, or the portal closed). */
  clear(): void {
    this.#frames = [];
    this.#bytes = 0;
  }

  /** Empties the outbox into the WebSocket messages to send, in order. */
  take(): Uint8Array[] {
    const frames = this.#frames;
    this.clear();
    const messages: Uint8Array[] = [];
    let at = 0;
    while (at < frames.length) {
      let end = at + 1;
      let size = frames[at]!.length;
      while (end < frames.length && size + frames[end]!.length <= joinBytes) {
        size += frames[end]!.length;
        end++;
      }
      if (end - at === 1) {
        messages.push(frames[at]!);
      } else {
        const message = new Uint8Array(size);
        let offset = 0;
        for (let i = at; i < end; i++) {
          message.set(frames[i]!, offset);
          offset += frames[i]!.length;
        }
        messages.push(message);
      }
      at = end;
    }
    return messages;
  }
}
