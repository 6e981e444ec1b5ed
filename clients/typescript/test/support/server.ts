import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Bounds } from "./bounds.js";
import { packageRoot, repoRoot } from "./paths.js";

const conformance = {
  project: join(packageRoot, "test/server/ConformanceServer.csproj"),
  dll: join(packageRoot, "test/server/bin/Release/net10.0/ConformanceServer.dll"),
  listening: /^listening (ws:\/\/\S+)$/,
};

/** The chat sample's server (Samples/Chat/Chat.Server), which logs "chat server listening on ws://…/chat". */
const chat = {
  project: join(repoRoot, "Samples/Chat/Chat.Server/Chat.Server.csproj"),
  dll: join(repoRoot, "Samples/Chat/Chat.Server/bin/Release/net10.0/Chat.Server.dll"),
  listening: /chat server listening on (ws:\/\/127\.0\.0\.1:\d+\/chat)$/,
};

/** The chat sample's console client (Samples/Chat/Chat.Client), built in Release first when it is absent. */
export function chatClientDll(): string {
  const project = join(repoRoot, "Samples/Chat/Chat.Client/Chat.Client.csproj");
  return built({ project, dll: join(repoRoot, "Samples/Chat/Chat.Client/bin/Release/net10.0/Chat.Client.dll") });
}

/** The conformance server's dll, built in Release first when it is absent (CI builds it with the solution). */
export function serverDll(): string {
  return built(conformance);
}

function built({ project, dll }: { project: string; dll: string }): string {
  if (!existsSync(dll)) {
    const build = spawnSync("dotnet", ["build", project, "-c", "Release", "--nologo", "-v", "q"], { stdio: "inherit" });
    if (build.status !== 0) {
      throw new Error(`building ${project} failed (exit ${build.status})`);
    }
  }
  return dll;
}

/** A running conformance server. */
export interface RunningServer {
  readonly url: string;
  readonly process: ChildProcess;
  /** The server's output so far (for failure messages). */
  readonly output: string[];
  /** Stops it: SIGTERM (an orderly shutdown, a Goodbye to every client) or SIGKILL (the connection is lost). */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
}

/** Starts the .NET conformance server (`dotnet ConformanceServer.dll ARGS`) and waits for its URL. */
export function startServer(args: string[] = []): Promise<RunningServer> {
  return start(conformance, args);
}

/**
 * Starts the chat sample's server on `port` of 127.0.0.1 (0: a free one; a stopped server's, to restart it where its
 * clients reconnect) and waits for its URL (ws://127.0.0.1:PORT/chat; the page is at http://127.0.0.1:PORT/).
 */
export function startChatServer(args: string[] = [], port = 0): Promise<RunningServer> {
  return start(chat, ["--urls", `http://127.0.0.1:${port}`, ...args]);
}

async function start(server: typeof conformance, args: string[]): Promise<RunningServer> {
  const child = spawn("dotnet", [built(server), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.stderr.setEncoding("utf8").on("data", (text: string) => output.push(text));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server printed no URL within ${Bounds.serverStart} ms: ${output.join("")}`)), Bounds.serverStart);
    lines.on("line", (line) => {
      output.push(line);
      const match = server.listening.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before printing its URL: ${output.join("")}`));
    });
  });
  return {
    url,
    process: child,
    output,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
      }
      await exited;
    },
  };
}

/** Runs the server with --schema and returns what it prints: its contracts' proto. */
export function serverSchema(): string {
  const run = spawnSync("dotnet", [serverDll(), "--schema"], { encoding: "utf8" });
  if (run.status !== 0) {
    throw new Error(`the server's --schema failed (exit ${run.status}): ${run.stderr}`);
  }
  return run.stdout;
}
