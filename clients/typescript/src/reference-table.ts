import type { DescMessage } from "@bufbuild/protobuf";
import { LimitExceededError } from "./errors.js";
import { limit } from "./fault.js";
import { idKey, randomId } from "./ids.js";
import type { Id } from "./ids.js";
import type { PortalInternals, ProxyEntry, RemoteEnd } from "./internals.js";
import { LocalActor } from "./local-actor.js";

/** How many closed local ids are remembered, so that a `Yours = true` reference still on its way is not a violation. */
const rememberClosed = 1024;

/**
 * What one portal holds: the peer's lasting publications this side received (one entry per remote id, counted for
 * Release, released when every handle to it is garbage-collected) and this side's own actors (named and anonymous).
 * It sends nothing itself: the portal passes what to send when an entry is released.
 */
export class ReferenceTable {
  readonly #proxies = new Map<string, ProxyEntry>();
  readonly #handles = new WeakMap<object, ProxyEntry>();
  readonly #collected = new FinalizationRegistry<ProxyEntry>((entry) => this.#handleCollected(entry));
  readonly #locals = new Map<string, LocalActor<DescMessage>>();
  readonly #named = new Map<string, LocalActor<DescMessage>>();
  readonly #recentlyClosed = new Set<string>();

  constructor(
    private readonly maxProxies: number,
    private readonly maxPublications: number,
    private readonly onRelease: (entry: ProxyEntry) => void,
  ) {}

  // ---- the peer's actors ----

  /** Counts one more receipt of a remote id (a new entry the first time). @throws Fault MaxProxies past the limit. */
  acquire(id: Id): ProxyEntry {
    const key = idKey(id.high, id.low);
    let entry = this.#proxies.get(key);
    if (entry === undefined) {
      if (this.#proxies.size >= this.maxProxies) {
        throw limit("MaxProxies", `the peer handed over more than ${this.maxProxies} actors`);
      }
      let end!: (how: RemoteEnd) => void;
      const ended = new Promise<RemoteEnd>((resolve) => (end = resolve));
      entry = { id, key, count: 0, live: 0, state: "alive", ended, end };
      this.#proxies.set(key, entry);
    }
    entry.count++;
    return entry;
  }

  /** Counts `handle` (a decoded WireRef object, a RemoteRef, a sender) as a live use of the entry until it is collected. */
  trackHandle(handle: object, entry: ProxyEntry): void {
    entry.live++;
    this.#handles.set(handle, entry);
    this.#collected.register(handle, entry);
  }

  /**
   * The entry a handle names (it may have ended since), or else the live entry for its key: a handle whose entry was
   * released leads to the id's new entry when the id arrived again since.
   */
  entryOf(handle: object, key: string): ProxyEntry | undefined {
    const entry = this.#handles.get(handle);
    return entry !== undefined && entry.state !== "released" ? entry : (this.#proxies.get(key) ?? entry);
  }

  /** The live entry for a key. */
  proxy(key: string): ProxyEntry | undefined {
    return this.#proxies.get(key);
  }

  /** Gives up an entry: it ends as Released and onRelease runs (the portal sends Release with its count). */
  release(entry: ProxyEntry): void {
    if (entry.state !== "alive") {
      return;
    }
    entry.state = "released";
    if (this.#proxies.get(entry.key) === entry) {
      this.#proxies.delete(entry.key);
    }
    entry.end({ kind: "Released" });
    this.onRelease(entry);
  }

  /** The peer's actor stopped (Terminated): its entry ends. */
  terminated(key: string): void {
    const entry = this.#proxies.get(key);
    if (entry !== undefined) {
      this.#proxies.delete(key);
      entry.state = "ended";
      entry.end({ kind: "Terminated" });
    }
  }

  #handleCollected(entry: ProxyEntry): void {
    if (--entry.live <= 0 && entry.state === "alive" && this.#proxies.get(entry.key) === entry) {
      this.release(entry);
    }
  }

  // ---- this side's actors ----

  /** A new local actor. @throws LimitExceededError MaxPublications past the limit; Error when the name is taken. */
  newLocal<D extends DescMessage>(portal: PortalInternals, schema: D, name: string | undefined): LocalActor<D> {
    if (name !== undefined && this.#named.has(name)) {
      throw new Error(`an actor is already published under '${name}' on this portal`);
    }
    if (this.#locals.size >= this.maxPublications) {
      throw new LimitExceededError("MaxPublications", `this portal publishes ${this.maxPublications} actors already`);
    }
    const id = randomId();
    const key = idKey(id.high, id.low);
    const actor = new LocalActor(portal, id, key, schema, name);
    this.#locals.set(key, actor as unknown as LocalActor<DescMessage>);
    if (name !== undefined) {
      this.#named.set(name, actor as unknown as LocalActor<DescMessage>);
    }
    return actor;
  }

  /** The local actor with this id (closed ones are gone). */
  local(key: string): LocalActor<DescMessage> | undefined {
    return this.#locals.get(key);
  }

  /** The local actor published under this name. */
  named(name: string): LocalActor<DescMessage> | undefined {
    return this.#named.get(name);
  }

  /** Whether the peer may deliver to the actor: named, or anonymous and held by the peer (sent and not all released). */
  routable(actor: LocalActor<DescMessage>): boolean {
    return actor.name !== undefined || actor.sent > 0;
  }

  /** Whether a `Yours = true` reference names one of this side's actors, open or closed lately. */
  gave(key: string): boolean {
    return this.#locals.has(key) || this.#recentlyClosed.has(key);
  }

  /** Removes a local actor; returns it (the portal tells the peer and completes it), or undefined when already gone. */
  removeLocal(key: string): LocalActor<DescMessage> | undefined {
    const actor = this.#locals.get(key);
    if (actor === undefined) {
      return undefined;
    }
    this.#locals.delete(key);
    if (actor.name !== undefined) {
      this.#named.delete(actor.name);
    }
    this.#recentlyClosed.add(key);
    if (this.#recentlyClosed.size > rememberClosed) {
      this.#recentlyClosed.delete(this.#recentlyClosed.values().next().value!);
    }
    return actor;
  }

  /** The portal closed: every remote entry ends with it and every local actor completes. */
  closeAll(how: RemoteEnd): void {
    for (const entry of this.#proxies.values()) {
      entry.state = "ended";
      entry.end(how);
    }
    this.#proxies.clear();
    for (const actor of this.#locals.values()) {
      actor.complete();
    }
    this.#locals.clear();
    this.#named.clear();
  }
}
