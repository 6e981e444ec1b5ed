import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { waitFor, Bounds } from "./bounds.js";
import { chatClientDll } from "./server.js";

/** The chat sample's console client (Samples/Chat/Chat.Client) in a child process: what it prints, and its standard input. */
export interface ConsoleChat {
  readonly process: ChildProcess;
  /** Every line it printed so far (standard output and standard error). */
  readonly lines: string[];
  /** Types a line (a post, or a command such as /nick). */
  type(line: string): void;
  /** Waits until it printed a line that `match` matches (a substring or a pattern). */
  printed(match: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Its exit code, once it exited. */
  readonly exited: Promise<number | null>;
  /** Ends it (SIGKILL) if it still runs. */
  kill(): Promise<void>;
}

/** Starts `Chat.Client --url URL --nick ALIAS` and waits for its welcome line. */
export async function startConsoleChat(url: string, alias: string): Promise<ConsoleChat> {
  const child = spawn("dotnet", [chatClientDll(), "--url", url, "--nick", alias], { stdio: ["pipe", "pipe", "pipe"] });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => lines.push(line));
  createInterface({ input: child.stderr! }).on("line", (line) => lines.push(`stderr: ${line}`));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const chat: ConsoleChat = {
    process: child,
    lines,
    type: (line) => void child.stdin!.write(`${line}\n`),
    printed: (match, timeoutMs = Bounds.quick) =>
      waitFor(
        `the console client to print ${String(match)} (it printed: ${JSON.stringify(lines)})`,
        () => lines.some((line) => (typeof match === "string" ? line.includes(match) : match.test(line))),
        timeoutMs,
      ),
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
      }
      await exited;
    },
  };
  await chat.printed(`as ${alias}`, Bounds.serverStart);
  return chat;
}
