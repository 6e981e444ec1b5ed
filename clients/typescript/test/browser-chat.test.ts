// The chat sample's browser page (Samples/Chat/Chat.Server/wwwroot, from chat/chat-page.ts) in a real Chromium, driven
// by playwright-core: two tabs and the console client (Samples/Chat/Chat.Client) in one room. The steps run in order and
// share the room; each saves a screenshot of a tab in test-results/ (browser-chat-N-step.png).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Bounds } from "./support/bounds.js";
import { launchChromium, screenshot } from "./support/chromium.js";
import { startConsoleChat } from "./support/console-chat.js";
import type { ConsoleChat } from "./support/console-chat.js";
import { repoRoot } from "./support/paths.js";
import { startChatServer } from "./support/server.js";
import type { RunningServer } from "./support/server.js";

/** Every wait on the page: generous, a loaded machine runs Chromium, two .NET processes and other tests. */
const timeout = Bounds.quick * 3;

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let ada: Page;
let bo: Page;
let carol: ConsoleChat;

/** The page as npm run build bundled it just now, not the copy the server's last build put beside its dll. */
const webroot = ["--webroot", join(repoRoot, "Samples/Chat/Chat.Server/wwwroot")];

before(async () => {
  server = await startChatServer(webroot);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 900, height: 640 } });
});
after(async () => {
  await carol?.kill();
  await browser?.close();
  await server?.stop("SIGKILL");
});

/** The page's address: the server that runs the WebSocket endpoint also serves the page. */
function pageUrl(): string {
  return server.url.replace(/^ws/, "http").replace(/\/chat$/, "/");
}

async function joinAs(alias: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(pageUrl());
  await page.fill("#alias", alias);
  await page.click("#join button");
  await page.locator("#status", { hasText: `connected as ${alias}` }).waitFor({ timeout });
  return page;
}

/** Waits until the page's list of posts and events holds a line with `text`. */
async function sees(page: Page, text: string): Promise<void> {
  await page.locator("#messages li", { hasText: text }).first().waitFor({ timeout });
}

/** The aliases the page shows as online, once they are exactly `aliases`. */
async function online(page: Page, aliases: string[]): Promise<void> {
  await page.waitForFunction(
    (expected) => Array.from(document.querySelectorAll("#online li")).map((li) => li.textContent).join(",") === expected,
    aliases.join(","),
    { timeout },
  );
}

test("two tabs and the console client join one room, and each sees the others online", async () => {
  ada = await joinAs("ada");
  bo = await joinAs("bo");
  carol = await startConsoleChat(server.url, "carol");
  await online(ada, ["ada", "bo", "carol"]);
  await online(bo, ["ada", "bo", "carol"]);
  await sees(ada, "* bo joined");
  await sees(ada, "* carol joined");
  await carol.printed("online (3): ada, bo, carol");
  await screenshot(ada, "browser-chat-1-joined");
});

test("posts reach everyone: from a tab to the other tab and the console, from the console to both tabs", async () => {
  await ada.fill("#text", "hello from the browser");
  await ada.click("#post button");
  await sees(ada, "ada: hello from the browser");
  await sees(bo, "ada: hello from the browser");
  await carol.printed(/\] ada: hello from the browser$/);

  carol.type("hello from the console");
  await sees(ada, "carol: hello from the console");
  await sees(bo, "carol: hello from the console");
  await screenshot(bo, "browser-chat-2-posts");
});

test("a tab that joins later shows the recent history from its welcome, and the others see it come and go", async () => {
  const dan = await joinAs("dan");
  await sees(dan, "ada: hello from the browser");
  await sees(dan, "carol: hello from the console");
  await online(dan, ["ada", "bo", "carol", "dan"]);
  await screenshot(dan, "browser-chat-3-history");
  await dan.close();
  await sees(ada, "* dan left");
  await carol.printed("* dan left");
  await online(ada, ["ada", "bo", "carol"]);
});

test("a tab that renames itself is seen renamed by the other tab and the console; a taken alias is refused", async () => {
  await bo.fill("#new-alias", "ada");
  await bo.click("#rename button");
  await sees(bo, 'not renamed: alias "ada" is taken');
  await bo.fill("#new-alias", "bobby");
  await bo.click("#rename button");
  await bo.locator("#status", { hasText: "connected as bobby" }).waitFor({ timeout });
  await sees(ada, "* bo is now bobby");
  await online(ada, ["ada", "bobby", "carol"]);
  await carol.printed("* bo is now bobby");
  await screenshot(ada, "browser-chat-4-renamed");
});

test("a closed tab is seen leaving by the other tab and the console", async () => {
  await bo.close();
  await sees(ada, "* bobby left");
  await online(ada, ["ada", "carol"]);
  await carol.printed("* bobby left");
  await screenshot(ada, "browser-chat-5-tab-closed");
});

test("stopping the server makes the page say \"lost connection\", then \"reconnecting\", and the console client exit with code 3", async () => {
  await server.stop("SIGTERM");
  await ada.locator("#status", { hasText: "lost connection" }).waitFor({ timeout });
  await ada.locator("#status", { hasText: "reconnecting in" }).waitFor({ timeout });
  assert.equal(await ada.locator("#text").isDisabled(), true, "the post box is disabled once the connection is lost");
  await screenshot(ada, "browser-chat-6-lost-connection");
  assert.equal(await carol.exited, 3, `the console client's exit code (it printed: ${JSON.stringify(carol.lines)})`);
});

test("the server restarted on the same port: the tab rejoins with its alias, and posts again", async () => {
  server = await startChatServer(webroot, Number(new URL(server.url).port));
  await ada.locator("#status", { hasText: "connected as ada" }).waitFor({ timeout });
  await sees(ada, "* rejoined as ada");
  await online(ada, ["ada"]);
  assert.equal(await ada.locator("#text").isDisabled(), false, "the post box is enabled again");
  await ada.fill("#text", "back again");
  await ada.click("#post button");
  await sees(ada, "ada: back again");
  await screenshot(ada, "browser-chat-7-rejoined");
});
