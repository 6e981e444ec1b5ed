// Bundles the chat sample's browser page (chat/chat-page.ts, with @wormhole/client from src/) into
// Samples/Chat/Chat.Server/wwwroot/chat.js with esbuild: one minified ES module. `npm run build` runs it last; the
// bundle is git-ignored, so it is always what the sources build to (the browser tests serve it from there).
import * as esbuild from "esbuild";
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { browserBundle } from "./browser-bundle.mjs";

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bundlePath = resolve(packageRoot, "../../Samples/Chat/Chat.Server/wwwroot/chat.js");

/** The bundle's text, as esbuild builds it from the sources now. */
async function bundleChat() {
  const result = await esbuild.build({ ...browserBundle(packageRoot), entryPoints: [join(packageRoot, "chat/chat-page.ts")] });
  return result.outputFiles[0].text;
}

const text = await bundleChat();
writeFileSync(bundlePath, text);
console.log(`bundle-chat: ${bundlePath} (${text.length.toLocaleString("en")} bytes)`);
