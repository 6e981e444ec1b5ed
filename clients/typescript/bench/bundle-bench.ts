// Bundles the benchmark's page (bench/page/bench-page.ts: @wormhole/client from src/, @microsoft/signalr and its
// MessagePack protocol) into bench/wwwroot/bench.js with esbuild, one minified ES module as the chat page's. The bundle is
// git-ignored; the driver makes it afresh before each run.
import * as esbuild from "esbuild";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./paths.js";

/** The folder the benchmark's server serves: index.html and the bundle. */
export const webroot = join(packageRoot, "bench/wwwroot");

/** Builds bench/wwwroot/bench.js from the sources now (unminified for a profile), and returns its text. */
export async function bundleBench(minify = true): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [join(packageRoot, "bench/page/bench-page.ts")],
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    minify,
    legalComments: "none",
    alias: { "@wormhole/client": join(packageRoot, "src/index.ts") },
    absWorkingDir: packageRoot,
    write: false,
    logLevel: "warning",
  });
  const text = result.outputFiles[0]!.text;
  writeFileSync(join(webroot, "bench.js"), text);
  return text;
}
