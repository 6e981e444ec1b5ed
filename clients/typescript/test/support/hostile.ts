import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import { FrameReader, lengthPrefixed } from "../../src/framing.js";
import { FrameSchema } from "../../src/gen/wormhole_pb.js";
import type { Frame } from "../../src/gen/wormhole_pb.js";

type FrameInit = MessageInitShape<typeof FrameSchema>;
type FrameKind = NonNullable<Frame["subtype"]["case"]>;

/** The server side of one connection, speaking frames by hand. */
export interface HostileSocket {
  readonly socket: WebSocket;
  /** Sends one frame (length-prefixed) as one binary message. */
  send(frame: FrameInit): void;
  /** Sends raw bytes as one binary message. */
  sendRaw(bytes: Uint8Array): void;
  /** The Hello a Wormhole server would send, with fields overridden. */
  hello(overrides?: Partial<{ ProtocolVersion: number; MaxFrameBytes: number; IdleTimeoutMs: number }>): void;
  /** The next frame of that kind the client sends (earlier ones of other kinds are skipped). */
  next(kind: FrameKind): Promise<Frame>;
}

/** A WebSocket server on 127.0.0.1 that runs `script` for each connection, and records what the client sent. */
export interface HostilePeer {
  readonly url: string;
  /** Every frame the client sent, in order. */
  readonly received: Frame[];
  /** Resolves with the status and reason of the client's close. */
  readonly closed: Promise<{ code: number; reason: string }>;
  stop(): Promise<void>;
}

const encode = (frame: FrameInit): Uint8Array => lengthPrefixed(toBinary(FrameSchema, create(FrameSchema, frame)));

export async function hostilePeer(script: (peer: HostileSocket) => void | Promise<void>): Promise<HostilePeer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const received: Frame[] = [];
  let resolveClosed!: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
  server.on("connection", (socket) => {
    const reader = new FrameReader(64 * 1024 * 1024);
    const waiters: { kind: FrameKind; resolve: (frame: Frame) => void }[] = [];
    let seen = 0;
    const match = (): void => {
      for (let i = 0; i < waiters.length; i++) {
        const waiter = waiters[i]!;
        const index = received.findIndex((frame, at) => at >= seen && frame.subtype.case === waiter.kind);
        if (index >= 0) {
          seen = index + 1;
          waiters.splice(i, 1);
          waiter.resolve(received[index]!);
          return match();
        }
      }
    };
    socket.on("message", (data: Buffer) => {
      for (const bytes of reader.push(new Uint8Array(data))) {
        received.push(fromBinary(FrameSchema, bytes));
      }
      match();
    });
    socket.on("close", (code, reason) => resolveClosed({ code, reason: reason.toString("utf8") }));
    const peer: HostileSocket = {
      socket,
      send: (frame) => socket.send(encode(frame)),
      sendRaw: (bytes) => socket.send(bytes),
      hello: (overrides = {}) =>
        socket.send(
          encode({
            subtype: {
              case: "Hello",
              value: {
                ProtocolVersion: 1,
                SideId: { High: 0x11n, Low: 0x12n },
                ConduitHalf: { High: 0x21n, Low: 0x22n },
                MaxFrameBytes: 1024 * 1024,
                IdleTimeoutMs: 60_000,
                ...overrides,
              },
            },
          }),
        ),
      next: (kind) =>
        new Promise<Frame>((resolve) => {
          waiters.push({ kind, resolve });
          match();
        }),
    };
    void Promise.resolve(script(peer)).catch((error: unknown) => socket.close(1011, String(error).slice(0, 100)));
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    received,
    closed,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) {
          client.terminate();
        }
        server.close(() => resolve());
      }),
  };
}
