import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The npm package's folder (clients/typescript), from dist/bench. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The repository's root. */
export const repoRoot = resolve(packageRoot, "../..");
