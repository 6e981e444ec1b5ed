// npm run size: what the client costs a web page, as esbuild bundles it (ES module, minified, es2022, browser) and gzip
// (level 9) compresses it: @wormhole/client alone (every export of src/index.ts), the chat page's bundle
// (chat/chat-page.ts), and, to compare, the SignalR client with its MessagePack protocol (every export of both).
// "Without the protobuf runtime" is exact both ways: minified, the bytes esbuild's metafile puts in the output from
// node_modules/@bufbuild (bytesInOutput) taken off; gzip, the bundle built again with @bufbuild/protobuf external
// (gzip does not add up by parts). RxJS's share of the minified bytes is shown too.
import * as esbuild from "esbuild";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { browserBundle } from "./browser-bundle.mjs";

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const protobufRuntime = ["@bufbuild/protobuf", "@bufbuild/protobuf/*"];

/** The bundles measured: an entry file, or the contents of one. */
export const bundles = [
  { name: "@wormhole/client (all of src/index.ts)", entry: join(packageRoot, "src/index.ts") },
  { name: "the chat page (chat/chat-page.ts)", entry: join(packageRoot, "chat/chat-page.ts") },
  {
    name: "SignalR client + MessagePack protocol 10.0.11 (all exports)",
    contents: 'export * from "@microsoft/signalr";\nexport * from "@microsoft/signalr-protocol-msgpack";\n',
  },
];

async function build(bundle, external) {
  const result = await esbuild.build({
    ...(bundle.entry ? { entryPoints: [bundle.entry] } : { stdin: { contents: bundle.contents, resolveDir: packageRoot, loader: "js" } }),
    ...browserBundle(packageRoot),
    external,
    metafile: true,
    outfile: "out.js",
  });
  const bytes = result.outputFiles[0].contents;
  const inputs = Object.values(result.metafile.outputs)[0].inputs;
  const share = (prefix) =>
    Object.entries(inputs)
      .filter(([path]) => path.includes(`node_modules/${prefix}`))
      .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
  return { minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, protobuf: share("@bufbuild/"), rxjs: share("rxjs/") };
}

/** The sizes of every bundle, with and without the protobuf runtime. */
export async function measure() {
  const sizes = [];
  for (const bundle of bundles) {
    const whole = await build(bundle, []);
    const without = await build(bundle, protobufRuntime);
    sizes.push({ name: bundle.name, ...whole, minifiedWithout: whole.minified - whole.protobuf, gzipWithout: without.gzip });
  }
  return sizes;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sizes = await measure();
  console.log("| bundle (esbuild, minified, es2022) | minified | gzip -9 | without the protobuf runtime: minified | gzip -9 | protobuf runtime | RxJS |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const s of sizes) {
    console.log(`| ${s.name} | ${kb(s.minified)} | ${kb(s.gzip)} | ${kb(s.minifiedWithout)} | ${kb(s.gzipWithout)} | ${kb(s.protobuf)} | ${kb(s.rxjs)} |`);
  }
}
