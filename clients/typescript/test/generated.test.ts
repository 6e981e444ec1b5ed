import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
// @ts-expect-error: a plain ES module script without types
import { generate, generated } from "../../scripts/generate.mjs";
import { packageRoot } from "./support/paths.js";
import { serverSchema } from "./support/server.js";

interface Generated {
  proto: string;
  out: string;
}

test("the committed generated code is what protoc-gen-es makes of the .proto files today", () => {
  const scratch = mkdtempSync(join(tmpdir(), "wormhole-gen-"));
  try {
    generate(scratch);
    for (const entry of generated as Generated[]) {
      const file = `${entry.out}/${entry.proto.replace(/\.proto$/, "_pb.ts")}`;
      const fresh = readFileSync(join(scratch, file), "utf8");
      const committed = readFileSync(join(packageRoot, file), "utf8");
      assert.equal(committed, fresh, `${file} is stale: run 'npm run generate' in clients/typescript and commit it`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test("the committed contract schema is the one the .NET test server's C# contracts make", () => {
  const committed = readFileSync(join(packageRoot, "test/contracts/conformance.proto"), "utf8");
  assert.equal(committed, serverSchema(), "test/contracts/conformance.proto is stale: run 'npm run schema' and 'npm run generate'");
});
