import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { packageRoot } from "./paths.js";

/** Debian's Chromium (`apt-get install -y chromium`; test.sh installs it). The browser tests never download one. */
export const chromiumPath = process.env["WORMHOLE_CHROMIUM"] ?? "/usr/bin/chromium";

/** Where the browser tests save their screenshots (git-ignored): clients/typescript/test-results. */
export const screenshots = join(packageRoot, "test-results");

/** Launches the system's Chromium headless; fails loudly, saying how to install it, when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`no Chromium at ${chromiumPath}: the browser tests need Debian's chromium ('apt-get install -y chromium', as ./test.sh does), or WORMHOLE_CHROMIUM=/path/to/chromium`);
  }
  return chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"], headless: true });
}

/** Saves a screenshot of `page` as test-results/NAME.png, and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshots, { recursive: true });
  const path = join(screenshots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
