// Bundles the chat sample's browser page (chat/chat-page.ts, with @wormhole/client from src/) into
// Samples/Chat/Chat.Server/wwwroot/chat.js with esbuild: one minified ES module. The bundle is committed, so that the
// server serves the page without Node.js; `npm run bundle-chat` rewrites it, and test/chat-bundle.test.ts fails when
// it is not what the sources build to.
import * as esbuild from "esbuild";
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const bundlePath = resolve(packageRoot, "../../Samples/Chat/Chat.Server/wwwroot/chat.js");

/** The bundle's text, as esbuild builds it from the sources now. */
export async function bundleChat() {
  const result = await esbuild.build({
    entryPoints: [join(packageRoot, "chat/chat-page.ts")],
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
  });
  return result.outputFiles[0].text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = await bundleChat();
  writeFileSync(bundlePath, text);
  console.log(`bundle-chat: ${bundlePath} (${text.length.toLocaleString("en")} bytes)`);
}
