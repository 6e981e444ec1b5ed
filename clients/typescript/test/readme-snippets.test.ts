// Keeps the README's TypeScript blocks honest, as ReadmeSnippetsTests does for its C# blocks: each ```ts block is
// marked <!-- snippet: NAME --> and equals the region between "// snippet: NAME" and "// end snippet" in a test here.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { packageRoot, repoRoot } from "./support/paths.js";

const readme = readFileSync(join(repoRoot, "README.md"), "utf8").replaceAll("\r\n", "\n");

const regions = new Map<string, string>();
for (const file of readdirSync(join(packageRoot, "test")).filter((name) => name.endsWith(".ts"))) {
  const source = readFileSync(join(packageRoot, "test", file), "utf8").replaceAll("\r\n", "\n");
  for (const match of source.matchAll(/^[ \t]*\/\/ snippet: ([a-z0-9-]+)\n([\s\S]*?)^[ \t]*\/\/ end snippet/gm)) {
    regions.set(match[1]!, match[2]!);
  }
}

/** Removes the common indentation, trailing spaces and surrounding blank lines. */
function normalize(code: string): string {
  const lines = code.replace(/^\n+|\n+$/g, "").split("\n").map((line) => line.trimEnd());
  const indent = Math.min(...lines.filter((line) => line.length > 0).map((line) => line.length - line.trimStart().length));
  return lines.map((line) => line.slice(Math.min(indent, line.length))).join("\n");
}

test("every TypeScript block in the README is a snippet of tested code, and equals it", () => {
  const blocks = [...readme.matchAll(/```ts\n/g)].length;
  const snippets = [...readme.matchAll(/<!-- snippet: ([a-z0-9-]+) -->\n```ts\n([\s\S]*?)```/g)];
  assert.ok(blocks > 0, "the README has TypeScript blocks");
  assert.equal(snippets.length, blocks, "each ```ts block follows a <!-- snippet: NAME --> marker");
  for (const [, name, code] of snippets) {
    const region = regions.get(name!);
    assert.ok(region !== undefined, `no '// snippet: ${name}' region in clients/typescript/test`);
    assert.equal(normalize(code!), normalize(region), `the README's snippet '${name}' differs from the tested code`);
  }
});
