/** Generous bounds for waiting on conditions (never a fixed sleep): what should happen fast, and what may take a while. */
export const Bounds = {
  /** Something that happens in milliseconds on a quiet machine: a reply, a close. */
  quick: 10_000,
  /** Starting or building the .NET server. */
  serverStart: 120_000,
} as const;

/** Waits until `condition` returns true (polled every 20 ms), or fails after `timeoutMs` naming `what`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number = Bounds.quick): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The promise's value, or a failure naming `what` after `timeoutMs`. */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs: number = Bounds.quick): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
