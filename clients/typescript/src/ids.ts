/** A 128-bit id as it travels (`WireId`, `WireRef`): two unsigned 64-bit halves. An id is never zero. */
export interface Id {
  readonly high: bigint;
  readonly low: bigint;
}

/** A fresh id from the platform's cryptographic random generator (never zero). */
export function randomId(): Id {
  const halves = new BigUint64Array(2);
  for (;;) {
    globalThis.crypto.getRandomValues(halves);
    const [high = 0n, low = 0n] = halves;
    if (high !== 0n || low !== 0n) {
      return { high, low };
    }
  }
}

/** The key of an id in a table. */
export function idKey(high: bigint, low: bigint): string {
  return `${high.toString(16)}:${low.toString(16)}`;
}

/** True for the id that means "no id" (both halves zero). */
export function isNoId(high: bigint | undefined, low: bigint | undefined): boolean {
  return (high ?? 0n) === 0n && (low ?? 0n) === 0n;
}

/** The name Wormhole's logs give a portal with this conduit half: the first 8 hex digits of its High, zero-padded to 16. */
export function portalName(conduitHalf: Id): string {
  return conduitHalf.high.toString(16).padStart(16, "0").slice(0, 8);
}
