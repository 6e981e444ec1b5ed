import type { PortalOptions } from "./options.js";
import { Portal } from "./portal.js";

/**
 * What `connect` needs of a WebSocket: the browser's `WebSocket` has it, and so has the `ws` package's in Node.
 * Handlers take `any` so that both kinds of event objects fit.
 */
export interface WebSocketLike {
  binaryType: string;
  /** Bytes queued by send() and not yet handed to the network. */
  readonly bufferedAmount?: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  /* eslint-disable @typescript-eslint/no-explicit-any */
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

/** A WebSocket constructor: `globalThis.WebSocket` in a browser, `WebSocket` from the `ws` package in Node. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** How to connect. */
export interface ConnectOptions extends PortalOptions {
  /** The WebSocket to use; the platform's (`globalThis.WebSocket`) by default. */
  WebSocket?: WebSocketConstructor;
  /** WebSocket subprotocols to offer. */
  protocols?: string | string[];
  /** Aborts connecting (and closes the socket); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Opens a portal to a Wormhole server over WebSocket (`MapWormhole` on the .NET side): binary messages carrying
 * length-prefixed frames, the Hello handshake, then keep-alives. Resolves once the handshake is done.
 * Rejects with PortalClosedError (its `reason` says why: the socket failed, the handshake failed or timed out), a
 * TypeError when there is no WebSocket, or the signal's reason.
 */
export function connect(url: string | URL, options: ConnectOptions = {}): Promise<Portal> {
  return new Promise<Portal>((resolve, reject) => {
    const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (Socket === undefined) {
      throw new TypeError("no WebSocket here: pass options.WebSocket (in Node, WebSocket from the 'ws' package)");
    }
    const signal = options.signal;
    signal?.throwIfAborted();
    const socket = new Socket(String(url), options.protocols);
    socket.binaryType = "arraybuffer";
    const portal = new Portal(
      {
        send: (bytes) => socket.send(bytes),
        bufferedBytes: () => socket.bufferedAmount ?? 0,
        close: (status, reason) => socket.close(status, reason),
      },
      options,
    );
    socket.onopen = () => portal.start();
    socket.onmessage = (event: { data: unknown }) => {
      const data = event.data;
      if (typeof data === "string") {
        portal.receiveText();
      } else if (data instanceof ArrayBuffer) {
        portal.receive(new Uint8Array(data));
      } else if (ArrayBuffer.isView(data)) {
        portal.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      } else {
        portal.receiveText(); // neither text nor bytes: not the protocol
      }
    };
    socket.onclose = (event: { code?: number; reason?: string }) => portal.conduitClosed(event.code ?? 1005, event.reason ?? "");
    socket.onerror = () => {
      // the close event follows and says how the socket ended
    };
    const onAbort = (): void => {
      void portal.close("connecting was aborted");
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    portal.opened.then(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(portal);
      },
      (error: unknown) => {
        signal?.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
