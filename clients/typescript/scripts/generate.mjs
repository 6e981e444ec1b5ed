// Generates the TypeScript message types and schemas from the .proto files with Debian's `protoc` and
// protoc-gen-es: the frames (docs/wormhole.proto) into src/gen, the conformance server's contracts
// (test/contracts/conformance.proto, written by the test server) and the chat sample's contracts into test/gen,
// the browser benchmark's (bench/contracts/bench.proto, from `Wormhole.Benchmarks schema browser`) into bench/gen.
// Usage: node scripts/generate.mjs [OUT_ROOT]  (OUT_ROOT defaults to this package; the freshness test passes a
// temporary folder and compares).
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(packageRoot, "../..");

/** What is generated: each .proto (its folder and name) and the folder, relative to the output root, that gets its _pb.ts. */
export const generated = [
  { protoDir: join(repoRoot, "docs"), proto: "wormhole.proto", out: "src/gen" },
  { protoDir: join(packageRoot, "test/contracts"), proto: "conformance.proto", out: "test/gen" },
  { protoDir: join(repoRoot, "Samples/Chat/Chat.Contracts"), proto: "chat.proto", out: "test/gen" },
  { protoDir: join(packageRoot, "bench/contracts"), proto: "bench.proto", out: "bench/gen" },
];

/** Runs protoc for every entry of `generated`, writing under outRoot. */
export function generate(outRoot = packageRoot) {
  const plugin = join(packageRoot, "node_modules/.bin/protoc-gen-es");
  for (const { protoDir, proto, out } of generated) {
    const outDir = join(outRoot, out);
    mkdirSync(outDir, { recursive: true });
    execFileSync("protoc", [`--plugin=protoc-gen-es=${plugin}`, `--es_out=${outDir}`, "--es_opt=target=ts", `-I${protoDir}`, proto], {
      stdio: ["ignore", "inherit", "inherit"],
    });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  generate(process.argv[2] ? resolve(process.argv[2]) : packageRoot);
}
