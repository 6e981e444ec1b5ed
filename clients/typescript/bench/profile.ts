// Where the tab's time goes in a run (npm run bench:browser -- --profile): V8's sampling profile of the page (Chrome's
// Profiler domain) summed by self time, per function and per source module of the unminified bundle (esbuild writes a
// "// path" comment line before each module's code, which maps a sample's line to its module).

/** What this needs of a Profiler.Profile (the Chrome DevTools Protocol). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Self time in ms, largest first. */
export interface ProfileSummary {
  totalMs: number;
  byModule: [string, number][];
  byFunction: [string, number][];
}

/** The module each line of the bundle belongs to: its "// path" comment's, node_modules paths cut to the package. */
function moduleStarts(bundle: string): { line: number; name: string }[] {
  const starts: { line: number; name: string }[] = [];
  bundle.split("\n").forEach((text, line) => {
    const comment = /^\/\/ ((?:node_modules|src|bench|chat)\/\S+)$/.exec(text);
    if (comment) {
      const path = comment[1]!;
      const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      starts.push({ line, name: pkg ? pkg[1]! : path });
    }
  });
  return starts;
}

function moduleAt(starts: { line: number; name: string }[], line: number): string {
  let name = "(bundle)";
  for (const start of starts) {
    if (start.line > line) {
      break;
    }
    name = start.name;
  }
  return name;
}

/** Sums the profile's self time per function and per module of `bundle` (the page's script, served as bench.js). */
export function summarize(profile: CpuProfile, bundle: string): ProfileSummary {
  const starts = moduleStarts(bundle);
  const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const frame = nodes.get(samples[i]!);
    const ms = (deltas[i] ?? 0) / 1000;
    if (!frame || frame.functionName === "(idle)") {
      continue;
    }
    totalMs += ms;
    const inBundle = frame.url.endsWith("/bench.js");
    const module = inBundle ? moduleAt(starts, frame.lineNumber) : frame.url === "" ? frame.functionName || "(native)" : "(browser)";
    byModule.set(module, (byModule.get(module) ?? 0) + ms);
    const name = `${frame.functionName || "(anonymous)"}${inBundle ? ` [${module}]` : ""}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  }
  const sorted = (map: Map<string, number>): [string, number][] => [...map.entries()].sort((a, b) => b[1] - a[1]);
  return { totalMs, byModule: sorted(byModule), byFunction: sorted(byFunction) };
}

/** The summary as text: the top modules and functions with their share of the non-idle time. */
export function describe(title: string, summary: ProfileSummary, top = 10): string {
  const share = (ms: number): string => `${((100 * ms) / summary.totalMs).toFixed(1)}%`;
  return [
    `${title}: ${summary.totalMs.toFixed(0)} ms of samples, not idle`,
    `  modules: ${summary.byModule.slice(0, top).map(([name, ms]) => `${name} ${share(ms)}`).join(", ")}`,
    `  functions: ${summary.byFunction.slice(0, top).map(([name, ms]) => `${name} ${share(ms)}`).join(", ")}`,
  ].join("\n");
}
