// The browser benchmark's page: a Wormhole portal (@wormhole/client, /ws) and a SignalR connection (@microsoft/signalr
// with the MessagePack hub protocol, /messages) to the same Kestrel, and one function per measured run on
// window.wormholeBench, which the driver (bench/run-bench.ts) calls through playwright, alternating the two peers.
import { connect } from "@wormhole/client";
import type { LocalActor, Portal, RemoteRef } from "@wormhole/client";
import { HttpTransportType, HubConnectionBuilder, LogLevel } from "@microsoft/signalr";
import type { HubConnection } from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { BeginSchema, ProgressSchema, QuerySchema, SmallSchema } from "../gen/bench_pb.js";

/** The 16 characters of every message's text, as in the .NET workloads (Small.Text16). */
const text16 = "0123456789abcdef";

/** One measured run: how many messages (or round trips) and the milliseconds from the first send to the last answer. */
export interface Run {
  count: number;
  ms: number;
}

/** What the page offers the driver. */
export interface Bench {
  /** Connects both peers (the page's origin is the server's). */
  setup(): Promise<void>;
  /** `count` sequential asks: Wormhole `ask` with a reply port to `query`, SignalR `invoke("Echo")`. */
  roundTrips(peer: Peer, count: number): Promise<Run>;
  /** `count` one-way tells to a counting sink, at most `window` unacknowledged, the server acknowledging every `ackEvery`. */
  messages(peer: Peer, count: number, ackEvery: number, window: number): Promise<Run>;
  /** Closes both. */
  close(): Promise<void>;
}

export type Peer = "wormhole" | "signalr";

/** How long the page waits for an acknowledgement before it fails the run (a lost message must not hang the driver). */
const ackTimeoutMs = 30_000;

/** The highest count the server has acknowledged, and a way to wait for a higher one. */
class Acks {
  received = 0;
  #waiter: { atLeast: number; resolve: () => void; timer: ReturnType<typeof setTimeout> } | undefined;

  report(received: number): void {
    this.received = received;
    if (this.#waiter && received >= this.#waiter.atLeast) {
      const { resolve, timer } = this.#waiter;
      this.#waiter = undefined;
      clearTimeout(timer);
      resolve();
    }
  }

  reach(atLeast: number): Promise<void> {
    if (this.received >= atLeast) {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`no acknowledgement of ${atLeast} messages within ${ackTimeoutMs} ms (the last: ${this.received})`));
      }, ackTimeoutMs);
      this.#waiter = { atLeast, resolve, timer };
    });
  }
}

let portal: Portal;
let query: RemoteRef<typeof QuerySchema>;
let sink: RemoteRef<typeof SmallSchema>;
let sinkBegin: RemoteRef<typeof BeginSchema>;
let progress: LocalActor<typeof ProgressSchema>;
let hub: HubConnection;
let wormholeAcks = new Acks();
let signalrAcks = new Acks();

function check(id: number, expected: number): void {
  if (id !== expected) {
    throw new Error(`the echo came back with id ${id}, not ${expected}`);
  }
}

/** Sends `count` messages with `send(i)`, never more than `window` ahead of `acks`, and waits for the last ack. */
async function windowed(acks: Acks, count: number, window: number, send: (i: number) => void): Promise<void> {
  let i = 0;
  while (i < count) {
    while (i < count && i - acks.received < window) {
      send(i++);
    }
    if (i < count) {
      await acks.reach(i - window + 1);
    }
  }
  await acks.reach(count);
}

const bench: Bench = {
  async setup() {
    const ws = new URL("/ws", location.href);
    ws.protocol = "ws:";
    portal = await connect(ws);
    query = await portal.lookup("query", QuerySchema);
    sink = await portal.lookup("sink", SmallSchema);
    sinkBegin = await portal.lookup("sink-begin", BeginSchema);
    progress = portal.anonymous(ProgressSchema);
    progress.messages.subscribe((p) => wormholeAcks.report(Number(p.Received)));

    hub = new HubConnectionBuilder()
      .withUrl(new URL("/messages", location.href).href, { transport: HttpTransportType.WebSockets })
      .withHubProtocol(new MessagePackHubProtocol())
      .configureLogging(LogLevel.Warning)
      .build();
    hub.on("Progress", (received: number) => signalrAcks.report(Number(received)));
    await hub.start();
  },

  async roundTrips(peer, count) {
    const start = performance.now();
    if (peer === "wormhole") {
      for (let i = 0; i < count; i++) {
        const echo = await query.ask(SmallSchema, (port) => ({ Body: { Id: i, Text: text16, Stamp: BigInt(i) }, Reply: port }));
        check(echo.Id, i);
      }
    } else {
      for (let i = 0; i < count; i++) {
        const echo = await hub.invoke<{ Id: number }>("Echo", { Id: i, Text: text16, Stamp: i });
        check(echo.Id, i);
      }
    }
    return { count, ms: performance.now() - start };
  },

  async messages(peer, count, ackEvery, window) {
    if (peer === "wormhole") {
      wormholeAcks = new Acks();
      wormholeAcks.received = -1;
      sinkBegin.tell({ Expected: BigInt(count), AckEvery: ackEvery, ReplyTo: progress.ref });
      await wormholeAcks.reach(0);
      const start = performance.now();
      await windowed(wormholeAcks, count, window, (i) => sink.tell({ Id: i, Text: text16, Stamp: BigInt(i) }));
      return { count, ms: performance.now() - start };
    }
    signalrAcks = new Acks();
    signalrAcks.received = -1;
    await hub.invoke("Begin", count, ackEvery); // progress 0 comes before the completion
    await signalrAcks.reach(0);
    const start = performance.now();
    let failure: unknown;
    await windowed(signalrAcks, count, window, (i) => {
      if (failure !== undefined) {
        throw failure;
      }
      hub.send("Tell", { Id: i, Text: text16, Stamp: i }).catch((e: unknown) => (failure = e));
    });
    return { count, ms: performance.now() - start };
  },

  async close() {
    await hub.stop();
    await portal.close("done");
  },
};

(globalThis as { wormholeBench?: Bench }).wormholeBench = bench;
document.getElementById("status")!.textContent = "ready";
