// The browser chat page of the chat sample (Samples/Chat/Chat.Server/wwwroot/index.html): joins the server that served
// it with an alias, shows who is online and the recent history, posts, renames, and says "lost connection" when the
// portal closes on its own, then "reconnecting…", and rejoins with the same alias once the server is back. Bundled by scripts/bundle-chat.mjs (esbuild) into Samples/Chat/Chat.Server/wwwroot/chat.js.
import { reconnecting } from "@wormhole/client";
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
  shownPosts.add(postKey(posted));
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

/** The room of the portal open now (undefined while the connection is lost), and the alias the server gave us. */
let room: RemoteRef<typeof ChatRoomSchema> | undefined;
let myAlias = "";
/** The posts shown, so that a rejoin's history adds only those not shown yet. */
const shownPosts = new Set<string>();

function postKey(posted: MessagePosted): string {
  return `${posted.PostedAtUnixMs}|${posted.From}|${posted.Text}`;
}

/**
 * Joins the room on a new portal with `alias` (the first time, and after each reconnect with the alias we had): the
 * welcome's online list replaces ours, and its history adds what we have not shown.
 */
async function enter(portal: Portal, alias: string): Promise<void> {
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
  room = portal.remote(welcome.Room, ChatRoomSchema);
  myAlias = welcome.Alias;
  setStatus(`connected as ${welcome.Alias}`);
  setEnabled(true);
  online.clear();
  for (const alias of welcome.Online) {
    online.add(alias);
  }
  showOnline();
  for (const past of welcome.History) {
    if (past.subtype.case === "MessagePosted" && !shownPosts.has(postKey(past.subtype.value))) {
      postLine(past.subtype.value);
    }
  }
  welcomed = true;
  events.splice(0).forEach(show); // what arrived while the welcome was on its way
}

/** What the page says while the connection is lost: "lost connection", why, and when it tries again. */
function showLost(reason: PortalCloseReason, next?: { attempt: number; delayMs: number }): void {
  room = undefined;
  setEnabled(false);
  const retry = next === undefined ? "" : ` — reconnecting in ${(next.delayMs / 1000).toFixed(1)} s (attempt ${next.attempt})…`;
  setStatus(`lost connection: ${describe(reason)}${retry}`, true);
}

/**
 * Connects (reconnecting with backoff when the connection is lost) and joins as `alias`. Resolves once in the room;
 * rejects when the first connection or join fails.
 */
function join(alias: string): Promise<void> {
  const url = new URL("/chat", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  setStatus(`connecting to ${url}…`);
  const connection = reconnecting(url, { reconnect: { initialDelayMs: 500, maxDelayMs: 5_000 } });
  let leaving = false;
  addEventListener("pagehide", () => {
    leaving = true;
    void connection.close("the tab closed");
  });
  return new Promise<void>((resolve, reject) => {
    let joined = false;
    connection.states.subscribe((state) => {
      if (leaving) {
        return;
      }
      if (state.kind === "reconnecting" && !joined) {
        void connection.close("could not join"); // the first time, say so rather than try on
        reject(new Error(describe(state.reason)));
      } else if (state.kind === "reconnecting") {
        showLost(state.reason, state);
      } else if (state.kind === "closed") {
        if (joined) {
          showLost(state.reason);
        } else {
          reject(new Error(describe(state.reason)));
        }
      }
    });
    connection.portals.subscribe((portal) => {
      const first = !joined;
      enter(portal, first ? alias : myAlias).then(
        () => {
          if (first) {
            joined = true;
            joinForm.hidden = true;
            chat.hidden = false;
            textInput.focus();
            resolve();
          } else {
            addLine(`* rejoined as ${myAlias}`, "event");
          }
        },
        (error: unknown) => {
          const text = error instanceof Error ? error.message : String(error);
          if (first) {
            void connection.close("could not join");
            reject(error);
          } else {
            addLine(`! could not rejoin: ${text}`, "problem");
            void portal.close("could not rejoin"); // and try again on a new portal
          }
        },
      );
    });
  });
}

postForm.addEventListener("submit", (submit) => {
  submit.preventDefault();
  const text = textInput.value;
  if (text === "" || room === undefined) {
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
  if (room === undefined) {
    return;
  }
  void room
    .ask(AckSchema, (port) => ({ subtype: { case: "Rename", value: { Alias: to, Reply: port } } }), { timeoutMs: answerTimeoutMs })
    .then((ack) => {
      if (ack.Accepted) {
        myAlias = to;
        setStatus(`connected as ${to}`);
      } else {
        addLine(`! not renamed: ${ack.Refusal}`, "problem");
      }
    })
    .catch((error: unknown) => addLine(`! not renamed: ${String(error)}`, "problem"));
});

joinForm.addEventListener("submit", (submit) => {
  submit.preventDefault();
  joinForm.querySelector("button")!.disabled = true;
  join(aliasInput.value.trim()).catch((error: unknown) => {
    setStatus(`cannot join: ${error instanceof Error ? error.message : String(error)}`, true);
    joinForm.querySelector("button")!.disabled = false;
  });
});
