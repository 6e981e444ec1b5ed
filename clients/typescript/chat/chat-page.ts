// The browser chat page of the chat sample (Samples/Chat/Chat.Server/wwwroot/index.html): joins the server that served
// it with an alias, shows who is online and the recent history, posts, renames, and says "lost connection" when the
// portal closes on its own. Bundled by scripts/bundle-chat.mjs (esbuild) into Samples/Chat/Chat.Server/wwwroot/chat.js.
import { connect } from "@wormhole/client";
import type { Portal, PortalCloseReason, RemoteRef } from "@wormhole/client";
import { AckSchema, ChatClientSchema, ChatHubSchema, ChatRoomSchema, WelcomeSchema } from "../test/gen/chat_pb.js";
import type { ChatClient, MessagePosted } from "../test/gen/chat_pb.js";

/** How long to wait for the server's answers. */
const answerTimeoutMs = 10_000;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) {
    throw new Error(`the page has no #${id}`);
  }
  return found as T;
}

const joinForm = element<HTMLFormElement>("join");
const aliasInput = element<HTMLInputElement>("alias");
const chat = element<HTMLElement>("chat");
const status = element<HTMLElement>("status");
const onlineList = element<HTMLUListElement>("online");
const messages = element<HTMLOListElement>("messages");
const postForm = element<HTMLFormElement>("post");
const textInput = element<HTMLInputElement>("text");
const renameForm = element<HTMLFormElement>("rename");
const renameInput = element<HTMLInputElement>("new-alias");

/** Who is online, kept sorted as the server sorts it. */
const online = new Set<string>();

function showOnline(): void {
  onlineList.replaceChildren(
    ...[...online]
      .sort((a, b) => a.localeCompare(b, undefined, { sensitivity: "base" }))
      .map((alias) => Object.assign(document.createElement("li"), { textContent: alias })),
  );
}

function addLine(text: string, kind: "post" | "event" | "problem"): void {
  const item = Object.assign(document.createElement("li"), { textContent: text, className: kind });
  messages.append(item);
  item.scrollIntoView({ block: "end" });
}

function postLine(posted: MessagePosted): void {
  const time = new Date(Number(posted.PostedAtUnixMs)).toLocaleTimeString();
  addLine(`[${time}] ${posted.From}: ${posted.Text}`, "post");
}

function show(event: ChatClient): void {
  switch (event.subtype.case) {
    case "MessagePosted":
      postLine(event.subtype.value);
      break;
    case "UserJoined":
      online.add(event.subtype.value.Alias);
      addLine(`* ${event.subtype.value.Alias} joined`, "event");
      break;
    case "UserLeft":
      online.delete(event.subtype.value.Alias);
      addLine(`* ${event.subtype.value.Alias} left`, "event");
      break;
    case "UserRenamed":
      online.delete(event.subtype.value.From);
      online.add(event.subtype.value.To);
      addLine(`* ${event.subtype.value.From} is now ${event.subtype.value.To}`, "event");
      break;
    default:
      return;
  }
  showOnline();
}

function setStatus(text: string, lost = false): void {
  status.textContent = text;
  status.classList.toggle("lost", lost);
}

function setEnabled(enabled: boolean): void {
  for (const control of [textInput, renameInput, ...Array.from(document.querySelectorAll<HTMLButtonElement>("#chat button"))]) {
    control.disabled = !enabled;
  }
}

function describe(reason: PortalCloseReason): string {
  return reason.kind === "ClosedByPeer" ? "the server closed" : reason.message;
}

async function join(alias: string): Promise<void> {
  const url = new URL("/chat", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  setStatus(`connecting to ${url}…`);
  const portal: Portal = await connect(url);
  let leaving = false;
  addEventListener("pagehide", () => {
    leaving = true;
    void portal.close("the tab closed");
  });
  void portal.closed.then((reason) => {
    if (!leaving) {
      setStatus(`lost connection: ${describe(reason)}`, true);
      setEnabled(false);
    }
  });

  const hub = await portal.lookup("chat", ChatHubSchema);
  const me = portal.anonymous(ChatClientSchema);
  const events: ChatClient[] = [];
  let welcomed = false;
  me.messages.subscribe((event) => (welcomed ? show(event) : events.push(event)));
  const welcome = await hub.ask(
    WelcomeSchema,
    (port) => ({ subtype: { case: "Connect", value: { Client: me.ref, Reply: port, Alias: alias } } }),
    { timeoutMs: answerTimeoutMs },
  );
  const room: RemoteRef<typeof ChatRoomSchema> = portal.remote(welcome.Room, ChatRoomSchema);

  joinForm.hidden = true;
  chat.hidden = false;
  setStatus(`connected as ${welcome.Alias}`);
  for (const alias of welcome.Online) {
    online.add(alias);
  }
  showOnline();
  for (const past of welcome.History) {
    if (past.subtype.case === "MessagePosted") {
      postLine(past.subtype.value);
    }
  }
  welcomed = true;
  events.splice(0).forEach(show); // what arrived while the welcome was on its way

  postForm.addEventListener("submit", (submit) => {
    submit.preventDefault();
    const text = textInput.value;
    if (text === "") {
      return;
    }
    textInput.value = "";
    void room
      .ask(AckSchema, (port) => ({ subtype: { case: "Post", value: { Text: text, Reply: port } } }), { timeoutMs: answerTimeoutMs })
      .then((ack) => ack.Accepted || addLine(`! not posted: ${ack.Refusal}`, "problem"))
      .catch((error: unknown) => addLine(`! not posted: ${String(error)}`, "problem"));
  });
  renameForm.addEventListener("submit", (submit) => {
    submit.preventDefault();
    const to = renameInput.value.trim();
    renameInput.value = "";
    void room
      .ask(AckSchema, (port) => ({ subtype: { case: "Rename", value: { Alias: to, Reply: port } } }), { timeoutMs: answerTimeoutMs })
      .then((ack) => (ack.Accepted ? setStatus(`connected as ${to}`) : addLine(`! not renamed: ${ack.Refusal}`, "problem")))
      .catch((error: unknown) => addLine(`! not renamed: ${String(error)}`, "problem"));
  });
  textInput.focus();
}

joinForm.addEventListener("submit", (submit) => {
  submit.preventDefault();
  joinForm.querySelector("button")!.disabled = true;
  join(aliasInput.value.trim()).catch((error: unknown) => {
    setStatus(`cannot join: ${error instanceof Error ? error.message : String(error)}`, true);
    joinForm.querySelector("button")!.disabled = false;
  });
});
