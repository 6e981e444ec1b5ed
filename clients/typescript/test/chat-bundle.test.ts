import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
// @ts-expect-error: a plain ES module script without types
import { bundleChat, bundlePath } from "../../scripts/bundle-chat.mjs";

test("the committed chat page bundle (Chat.Server/wwwroot/chat.js) is what esbuild makes of chat/chat-page.ts and src/ today", async () => {
  const fresh = (await bundleChat()) as string;
  const committed = readFileSync(bundlePath as string, "utf8");
  assert.ok(committed === fresh, `${bundlePath} is stale (${committed.length} bytes, fresh ${fresh.length}): run 'npm run bundle-chat' in clients/typescript and commit it`);
});
