import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { packageRoot } from "./support/paths.js";
import { serverDll, startServer } from "./support/server.js";

/**
 * The README's "Adding the client to your app", as a new user does it: pack the client, install the tarball into a
 * fresh npm project, generate the message types from the server's contracts with protoc and protoc-gen-es, compile
 * the app with tsc and run it against a real server.
 */
test("the packed client installs into a fresh app, whose generated types and code compile and talk to a server", { timeout: 300_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), "wormhole-app-"));
  const server = await startServer();
  try {
    const devDependencies = JSON.parse(run("npm", ["pkg", "get", "devDependencies"], packageRoot)) as Record<string, string>;
    run("npm", ["pack", "--pack-destination", work], packageRoot);
    const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
    assert.ok(tarball, "npm pack made no tarball");

    const app = join(work, "app");
    run("mkdir", ["-p", join(app, "src/gen")], work);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "my-app", private: true, type: "module" }));
    run("npm", ["install", join(work, tarball), `ws@${devDependencies["ws"]}`], app);
    run("npm", ["install", "--save-dev", `typescript@${devDependencies["typescript"]}`, `@bufbuild/protoc-gen-es@${devDependencies["@bufbuild/protoc-gen-es"]}`, `@types/ws@${devDependencies["@types/ws"]}`, "@types/node@^20"], app);

    writeFileSync(join(app, "contracts.proto"), run("dotnet", [serverDll(), "--schema"], app)); // the server's WormholeSchema.GetProto
    run("protoc", ["--plugin=protoc-gen-es=node_modules/.bin/protoc-gen-es", "--es_out=src/gen", "--es_opt=target=ts", "contracts.proto"], app);
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, outDir: "dist", skipLibCheck: false, types: ["node"] },
      include: ["src/**/*.ts"],
    }));
    writeFileSync(join(app, "src/main.ts"), [
      `import { connect } from "@wormhole/client";`,
      `import WebSocket from "ws";`,
      `import { EchoSchema } from "./gen/contracts_pb.js";`,
      `const portal = await connect(process.argv[2]!, { WebSocket });`,
      `const echo = await portal.lookup("echo", EchoSchema);`,
      `const reply = await echo.askSender(EchoSchema, { Text: "from a fresh app" }, { timeoutMs: 10_000 });`,
      `console.log(\`reply: \${reply.Text} after \${reply.Hops} hop(s)\`);`,
      `console.log(\`closed: \${(await portal.close("done")).kind}\`);`,
    ].join("\n"));
    run("node_modules/.bin/tsc", ["-p", "."], app);

    const output = run("node", ["dist/main.js", server.url], app);

    assert.match(output, /^reply: from a fresh app after 1 hop\(s\)$/m);
    assert.match(output, /^closed: ClosedLocally$/m);
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
});

/** Runs a command to its end; its stdout, or a failure naming the command with its output. */
function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 240_000 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} (in ${cwd}) failed with exit ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}
