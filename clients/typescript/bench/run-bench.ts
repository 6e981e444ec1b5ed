// The browser benchmark (issue 14, item 6): from one headless Chromium tab (Debian's /usr/bin/chromium through
// playwright-core), Wormhole (@wormhole/client) against SignalR (@microsoft/signalr, MessagePack hub protocol) on ONE
// Kestrel server (`Wormhole.Benchmarks serve browser`): round trips/s (sequential asks vs invoke) and messages/s
// (one-way tells vs send, the same window and acks), the two peers alternating within each round (A B, then B A).
// Usage: npm run bench:browser [-- --rounds N --round-trips N --messages N --profile]; prints a Markdown table (and
// --json FILE writes the runs; --profile adds where the tab's time went, from V8's sampling profiler).
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Interface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { CDPSession, Page } from "playwright-core";
import { launchChromium } from "../test/support/chromium.js";
import type { Bench, Peer, Run } from "./page/bench-page.js";
import { bundleBench, webroot } from "./bundle-bench.js";
import { describe, summarize } from "./profile.js";
import type { CpuProfile, ProfileSummary } from "./profile.js";
import { repoRoot } from "./paths.js";

/** How much to measure. */
export interface BenchOptions {
  /** Measured rounds; each runs both peers on both workloads. */
  rounds: number;
  /** Sequential asks per run. */
  roundTrips: number;
  /** Tells per run. */
  messages: number;
  /** The server acknowledges every `ackEvery` tells (SinkActor, MessageHub.Tell), as the .NET tell workload. */
  ackEvery: number;
  /** At most this many tells unacknowledged, for both peers. */
  window: number;
  /** Runs before the measured rounds (each peer, each workload, the same counts), not reported. */
  warmUps: number;
  /** Build Wormhole.Benchmarks first (dotnet build, incremental); otherwise only when its dll is missing. */
  build: boolean;
  /** After the rounds, one more run of each peer and workload under V8's sampling profiler (the bundle unminified). */
  profile: boolean;
}

export const defaults: BenchOptions = { rounds: 5, roundTrips: 5_000, messages: 200_000, ackEvery: 1_000, window: 5_000, warmUps: 1, build: true, profile: false };

export type Workload = "roundTrips" | "messages";

/** One measured run, with what it cost: the server's CPU time and the tab's main-thread task time. */
export interface MeasuredRun extends Run {
  round: number;
  workload: Workload;
  peer: Peer;
  /** Per second. */
  rate: number;
  /** The server process's CPU time over the run (all its threads). */
  serverCpuMs: number;
  /** The tab's renderer main-thread task time over the run (Chrome's Performance.getMetrics TaskDuration). */
  pageTaskMs: number;
}

/** The median of each peer on one workload. */
export interface Summary {
  workload: Workload;
  wormhole: Medians;
  signalr: Medians;
  /** Wormhole's median rate / SignalR's. */
  ratio: number;
  /** Each round's Wormhole rate / SignalR rate: the two ran back to back, so a drifting load cancels out more. */
  roundRatios: number[];
}

export interface Medians {
  rate: number;
  min: number;
  max: number;
  /** Server CPU µs per message (a round trip counts as one). */
  serverCpuUs: number;
  /** Tab main-thread µs per message. */
  pageTaskUs: number;
}

export interface BenchResult {
  options: BenchOptions;
  runs: MeasuredRun[];
  summaries: Summary[];
  date: string;
  browser: string;
  /** /proc/loadavg's 1, 5 and 15 minute averages before and after. */
  loadBefore: string;
  loadAfter: string;
  /** With `profile`: where the tab's time went in each peer's extra run. */
  profiles: { workload: Workload; peer: Peer; summary: ProfileSummary }[];
}

const benchmarksProject = join(repoRoot, "Wormhole.Benchmarks/Wormhole.Benchmarks.csproj");
const benchmarksDll = join(repoRoot, "Wormhole.Benchmarks/bin/Release/net10.0/Wormhole.Benchmarks.dll");

/** Generous bounds: a loaded machine builds and starts .NET and Chromium. */
const serverStartMs = 120_000;

function loadAverage(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "n/a";
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** `Wormhole.Benchmarks serve browser`: its port, and its stats command (CPU time) over stdin. */
class BenchServer {
  readonly #lines: Interface;
  readonly #pending: ((line: string) => void)[] = [];
  readonly output: string[] = [];
  readonly exited: Promise<void>;
  origin = "";

  private constructor(readonly process: ChildProcess) {
    this.exited = new Promise((resolve) => process.once("exit", () => resolve()));
    process.stderr!.setEncoding("utf8").on("data", (text: string) => this.output.push(text));
    this.#lines = createInterface({ input: process.stdout! });
  }

  static async start(build: boolean): Promise<BenchServer> {
    if (build || !existsSync(benchmarksDll)) {
      const run = spawnSync("dotnet", ["build", benchmarksProject, "-c", "Release", "--nologo", "-v", "q"], { stdio: ["ignore", "ignore", "inherit"] });
      if (run.status !== 0) {
        throw new Error(`building ${benchmarksProject} failed (exit ${run.status})`);
      }
    }
    const server = new BenchServer(spawn("dotnet", [benchmarksDll, "serve", "browser", "--webroot", webroot], { stdio: ["pipe", "pipe", "pipe"] }));
    server.origin = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server printed no address within ${serverStartMs} ms: ${server.output.join("")}`)), serverStartMs);
      server.#lines.on("line", (line) => {
        const listening = /^listening on (\S+)$/.exec(line);
        if (listening) {
          clearTimeout(timer);
          resolve(`http://${listening[1]}`);
        } else if (line.startsWith("reply ")) {
          server.#pending.shift()?.(line.slice("reply ".length));
        } else {
          server.output.push(line);
        }
      });
      server.process.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code}) before listening: ${server.output.join("")}`));
      });
    });
    return server;
  }

  /** The server process's CPU time so far, in ms. */
  async cpuMs(): Promise<number> {
    const reply = new Promise<string>((resolve) => this.#pending.push(resolve));
    this.process.stdin!.write("stats\n");
    return (JSON.parse(await reply) as { cpuMs: number }).cpuMs;
  }

  /** Ends its stdin, which stops it; kills it if it has not stopped within 15 s. */
  async stop(): Promise<void> {
    this.process.stdin!.end();
    const timer = setTimeout(() => this.process.kill("SIGKILL"), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

async function pageTaskMs(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return (metrics.find((m) => m.name === "TaskDuration")?.value ?? 0) * 1000;
}

/** Runs the benchmark once: bundle, server, Chromium, warm-ups, then the rounds. */
export async function runBench(options: BenchOptions = defaults): Promise<BenchResult> {
  const loadBefore = loadAverage();
  const bundle = await bundleBench(!options.profile);
  const server = await BenchServer.start(options.build);
  const browser = await launchChromium().catch(async (e: unknown) => {
    await server.stop();
    throw e;
  });
  try {
    const page: Page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.origin}/index.html`);
    await page.locator("#status", { hasText: "ready" }).waitFor({ timeout: 30_000 }).catch(() => {
      throw new Error(`the page did not load: ${errors.join("; ") || "no error reported"}`);
    });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    await page.evaluate(() => (globalThis as unknown as { wormholeBench: Bench }).wormholeBench.setup());

    const once = (workload: Workload, peer: Peer, count: number): Promise<Run> =>
      page.evaluate(
        ({ workload, peer, count, ackEvery, window }) => {
          const bench = (globalThis as unknown as { wormholeBench: Bench }).wormholeBench;
          return workload === "roundTrips" ? bench.roundTrips(peer, count) : bench.messages(peer, count, ackEvery, window);
        },
        { workload, peer, count, ackEvery: options.ackEvery, window: options.window },
      );
    const countOf = (workload: Workload): number => (workload === "roundTrips" ? options.roundTrips : options.messages);

    for (let w = 0; w < options.warmUps; w++) {
      for (const workload of ["roundTrips", "messages"] as const) {
        for (const peer of ["wormhole", "signalr"] as const) {
          await once(workload, peer, countOf(workload));
        }
      }
    }

    const runs: MeasuredRun[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const order: Peer[] = round % 2 === 1 ? ["wormhole", "signalr"] : ["signalr", "wormhole"];
      for (const workload of ["roundTrips", "messages"] as const) {
        for (const peer of order) {
          const cpu0 = await server.cpuMs();
          const task0 = await pageTaskMs(cdp);
          const run = await once(workload, peer, countOf(workload));
          const task1 = await pageTaskMs(cdp);
          const cpu1 = await server.cpuMs();
          runs.push({ ...run, round, workload, peer, rate: (run.count * 1000) / run.ms, serverCpuMs: cpu1 - cpu0, pageTaskMs: task1 - task0 });
        }
      }
    }
    const profiles: BenchResult["profiles"] = [];
    if (options.profile) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
      for (const workload of ["roundTrips", "messages"] as const) {
        for (const peer of ["wormhole", "signalr"] as const) {
          await cdp.send("Profiler.start");
          await once(workload, peer, countOf(workload));
          const { profile } = await cdp.send("Profiler.stop");
          profiles.push({ workload, peer, summary: summarize(profile as CpuProfile, bundle) });
        }
      }
    }
    await page.evaluate(() => (globalThis as unknown as { wormholeBench: Bench }).wormholeBench.close());
    if (errors.length > 0) {
      throw new Error(`the page failed: ${errors.join("; ")}`);
    }

    const summaries = (["roundTrips", "messages"] as const).map((workload): Summary => {
      const of = (peer: Peer): Medians => {
        const mine = runs.filter((r) => r.workload === workload && r.peer === peer);
        const rates = mine.map((r) => r.rate);
        return {
          rate: median(rates),
          min: Math.min(...rates),
          max: Math.max(...rates),
          serverCpuUs: median(mine.map((r) => (r.serverCpuMs * 1000) / r.count)),
          pageTaskUs: median(mine.map((r) => (r.pageTaskMs * 1000) / r.count)),
        };
      };
      const wormhole = of("wormhole");
      const signalr = of("signalr");
      const roundRatios = [];
      for (let round = 1; round <= options.rounds; round++) {
        const rate = (peer: Peer): number => runs.find((r) => r.round === round && r.workload === workload && r.peer === peer)!.rate;
        roundRatios.push(rate("wormhole") / rate("signalr"));
      }
      return { workload, wormhole, signalr, ratio: wormhole.rate / signalr.rate, roundRatios };
    });
    return { options, runs, summaries, date: new Date().toISOString(), browser: `Chromium ${browser.version()}`, loadBefore, loadAfter: loadAverage(), profiles };
  } finally {
    await browser.close();
    await server.stop();
  }
}

const integer = (n: number): string => Math.round(n).toLocaleString("en");
const decimal = (n: number): string => n.toFixed(n < 10 ? 2 : 1);

/** The result as a Markdown table, with what was measured and when. */
export function markdown(result: BenchResult): string {
  const { options } = result;
  const label = (s: Summary): string =>
    s.workload === "roundTrips"
      ? `round trips/s (${integer(options.roundTrips)} sequential asks)`
      : `messages/s (${integer(options.messages)} tells, ≤ ${integer(options.window)} unacked, ack every ${integer(options.ackEvery)})`;
  const rate = (m: Medians): string => `${integer(m.rate)} (${integer(m.min)}–${integer(m.max)})`;
  const lines = [
    `${result.date}, ${result.browser}, ${options.rounds} rounds (peers alternating), load average ${result.loadBefore} before, ${result.loadAfter} after`,
    "",
    "| median of the rounds (min–max) | Wormhole | SignalR | Wormhole / SignalR: of the medians | of each round: median (min–max) |",
    "| --- | --- | --- | --- | --- |",
  ];
  const times = (n: number): string => `${n.toFixed(2)}×`;
  for (const s of result.summaries) {
    const rounds = `${times(median(s.roundRatios))} (${times(Math.min(...s.roundRatios))}–${times(Math.max(...s.roundRatios))})`;
    lines.push(`| ${label(s)} | ${rate(s.wormhole)} | ${rate(s.signalr)} | ${times(s.ratio)} | ${rounds} |`);
  }
  for (const s of result.summaries) {
    const what = s.workload === "roundTrips" ? "round trip" : "message";
    lines.push(`| server CPU µs per ${what} | ${decimal(s.wormhole.serverCpuUs)} | ${decimal(s.signalr.serverCpuUs)} | ${times(s.wormhole.serverCpuUs / s.signalr.serverCpuUs)} | |`);
    lines.push(`| tab main-thread µs per ${what} | ${decimal(s.wormhole.pageTaskUs)} | ${decimal(s.signalr.pageTaskUs)} | ${times(s.wormhole.pageTaskUs / s.signalr.pageTaskUs)} | |`);
  }
  return lines.join("\n");
}

function parseArgs(argv: string[]): { options: BenchOptions; json: string | undefined } {
  const options = { ...defaults };
  let json: string | undefined;
  const names: Record<string, keyof BenchOptions> = { "--rounds": "rounds", "--round-trips": "roundTrips", "--messages": "messages", "--ack-every": "ackEvery", "--window": "window", "--warm-ups": "warmUps" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = argv[i + 1];
    if (arg === "--json" && value) {
      json = resolve(value);
      i++;
    } else if (arg === "--no-build") {
      options.build = false;
    } else if (arg === "--profile") {
      options.profile = true;
    } else if (names[arg] && value && /^\d+$/.test(value)) {
      (options as Record<string, number | boolean>)[names[arg]] = Number(value);
      i++;
    } else {
      throw new Error(`unknown argument ${arg}: use --rounds N --round-trips N --messages N --ack-every N --window N --warm-ups N --no-build --profile --json FILE`);
    }
  }
  return { options, json };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { options, json } = parseArgs(process.argv.slice(2));
  const result = await runBench(options);
  console.log(markdown(result));
  for (const { workload, peer, summary } of result.profiles) {
    console.log(describe(`profile of the tab, ${workload}, ${peer}`, summary));
  }
  if (json) {
    writeFileSync(json, JSON.stringify(result, null, 2));
  }
}
