import type { Observable, Unsubscribable } from "rxjs";

/**
 * What an offered Observable does when it pushes while its buffer is full (the .NET side's `ObservableOverflowPolicy`):
 * - `FailStream` (the default): unsubscribe at once, send what is buffered, then end the stream with the code
 *   `ObservableBufferSize`; nothing is lost silently.
 * - `DropOldest`: drop the oldest buffered element to make room.
 * - `DropNewest`: drop the pushed element.
 */
export type ObservableOverflow = "FailStream" | "DropOldest" | "DropNewest";

/** How `portal.offer` buffers an Observable, which pushes whether or not the server granted credit. */
export interface OfferOptions {
  /** Elements held ahead of the server's credit (1,024, as the .NET side's `ObservableBufferSize`). */
  bufferSize?: number;
  /** What a push into a full buffer does (`FailStream`). */
  overflow?: ObservableOverflow;
}

/** The Observable pushed into a full buffer under `FailStream`: the stream ends with `ObservableBufferSize`. @internal */
export class ObservableOverflowError extends Error {
  constructor(readonly bufferSize: number) {
    super(`the observable pushed past its buffer of ${bufferSize} elements`);
    this.name = "ObservableOverflowError";
  }
}

/**
 * An Observable read as an AsyncIterable, for a produced stream: subscribed when the iteration starts (the server's
 * first Demand), its pushes held in a bounded buffer that the stream takes from within the credit, unsubscribed by
 * `return()` (the server's cancel, the portal's close). Its error ends the stream as failed once the buffer is sent.
 * @internal
 */
export function observableSource<T>(observable: Observable<T>, options: OfferOptions = {}, onDrop: () => void = () => undefined): AsyncIterable<T> {
  const bufferSize = options.bufferSize ?? 1024;
  const overflow = options.overflow ?? "FailStream";
  if (!(Number.isInteger(bufferSize) && bufferSize >= 1)) {
    throw new RangeError(`bufferSize must be a whole number of at least 1, not ${bufferSize}`);
  }
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const buffer: T[] = [];
      let end: { error: unknown } | "completed" | undefined;
      let wake: (() => void) | undefined;
      let subscription: Unsubscribable | undefined;
      let stopped = false;
      const notify = (): void => {
        const waiting = wake;
        wake = undefined;
        waiting?.();
      };
      const unsubscribe = (): void => {
        stopped = true;
        subscription?.unsubscribe();
      };
      subscription = observable.subscribe({
        next: (value) => {
          if (stopped || end !== undefined) {
            return;
          }
          if (buffer.length >= bufferSize) {
            if (overflow === "DropNewest") {
              onDrop();
              return;
            }
            if (overflow === "DropOldest") {
              buffer.shift();
              onDrop();
            } else {
              end = { error: new ObservableOverflowError(bufferSize) };
              unsubscribe(); // inside subscribe (a synchronous observable), it takes effect once subscribe returns
              notify();
              return;
            }
          }
          buffer.push(value);
          notify();
        },
        error: (error: unknown) => {
          end ??= { error };
          notify();
        },
        complete: () => {
          end ??= "completed";
          notify();
        },
      });
      if (stopped) {
        subscription.unsubscribe();
      }
      return {
        next: async (): Promise<IteratorResult<T>> => {
          while (buffer.length === 0 && end === undefined && !stopped) {
            await new Promise<void>((resolve) => (wake = resolve));
          }
          if (buffer.length > 0) {
            return { value: buffer.shift()!, done: false };
          }
          if (end !== undefined && end !== "completed") {
            throw end.error;
          }
          return { value: undefined, done: true };
        },
        return: async (): Promise<IteratorResult<T>> => {
          unsubscribe();
          buffer.length = 0;
          notify();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
