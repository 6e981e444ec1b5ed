// The browser benchmark (bench/run-bench.ts, npm run bench:browser) with tiny counts, so that it cannot rot: both peers
// answer from the Chromium tab on both workloads, and the page's generated types still match the server's contracts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { markdown, runBench } from "../bench/run-bench.js";
import { packageRoot, repoRoot } from "./support/paths.js";

test("the browser benchmark runs both peers on both workloads from a Chromium tab and reports rates and ratios", async () => {
  const result = await runBench({ rounds: 2, roundTrips: 20, messages: 2_000, ackEvery: 100, window: 500, warmUps: 0, build: false, profile: false });
  assert.equal(result.runs.length, 8, "2 rounds × 2 workloads × 2 peers");
  assert.deepEqual(
    result.runs.filter((r) => r.round === 2).map((r) => `${r.workload} ${r.peer}`),
    ["roundTrips signalr", "roundTrips wormhole", "messages signalr", "messages wormhole"],
    "the second round runs the peers in the other order",
  );
  for (const run of result.runs) {
    assert.ok(run.rate > 0 && Number.isFinite(run.rate), `a rate for ${run.workload} ${run.peer}: ${run.rate}`);
    assert.ok(run.serverCpuMs >= 0, `the server's CPU time over ${run.workload} ${run.peer}: ${run.serverCpuMs}`);
  }
  const table = markdown(result);
  assert.match(table, /\| round trips\/s \(20 sequential asks\) \| [\d,]+ \([\d,]+–[\d,]+\) \| [\d,]+ \([\d,]+–[\d,]+\) \| \d+\.\d\d× \| \d+\.\d\d× \(\d+\.\d\d×–\d+\.\d\d×\) \|/);
  assert.match(table, /\| messages\/s \(2,000 tells, ≤ 500 unacked, ack every 100\) \|/);
  assert.match(table, /load average [\d.]+ [\d.]+ [\d.]+ before/);
});

test("the benchmark's contract schema is the one Wormhole.Benchmarks' C# contracts make", () => {
  const dll = join(repoRoot, "Wormhole.Benchmarks/bin/Release/net10.0/Wormhole.Benchmarks.dll");
  const run = spawnSync("dotnet", [dll, "schema", "browser"], { encoding: "utf8" });
  assert.equal(run.status, 0, `schema browser failed: ${run.stderr}`);
  const committed = readFileSync(join(packageRoot, "bench/contracts/bench.proto"), "utf8");
  assert.equal(committed, run.stdout, "bench/contracts/bench.proto is stale: write it with 'dotnet Wormhole.Benchmarks.dll schema browser', then 'npm run generate'");
});
