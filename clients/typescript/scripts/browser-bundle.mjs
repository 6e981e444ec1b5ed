// The esbuild options every browser bundle of this package is built with (the chat page, and `npm run size`): one
// minified ES module for es2022 browsers, with @wormhole/client taken from src/.
import { join } from "node:path";

/** esbuild options for a browser bundle of `packageRoot`'s sources, kept in memory (write: false). */
export function browserBundle(packageRoot) {
  return {
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    minify: true,
    legalComments: "none",
    alias: { "@wormhole/client": join(packageRoot, "src/index.ts") },
    absWorkingDir: packageRoot,
    write: false,
    logLevel: "warning",
  };
}
