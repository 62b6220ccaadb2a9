/**
 * @module engine/prefix-state-store
 * Saved KV states of exemplar-set prefixes, so a restart does not re-evaluate
 * them. Files live in one folder, named by a key that covers the model
 * fingerprint, the context parameters and the exact prefix tokens; a JSON
 * sidecar records what was saved. The folder is bounded: past `maxBytes` the
 * least recently used states are deleted.
 *
 * Integrity: the record holds the state file's length and SHA-256, checked
 * before the file reaches llama.cpp (which aborts the process on a truncated
 * state and accepts damaged bytes silently). A file that fails a check, fails
 * to load, or loads into something other than the expected tokens costs one
 * log line and is deleted (never retried in this process, even when the
 * folder does not let us delete it). Saves are durable: fsync, then rename.
 * A folder we cannot write is refused at `open` (the engine then runs without
 * saved states); any later file-system failure is a log line, never a throw.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { checkStateFile, digestStateFile, syncFile, syncFolder, type StateFileDigest } from "./state-file-integrity.js";

export interface PrefixStateStoreOptions {
  dir: string;
  /** Upper bound on the folder's state files, in bytes. */
  maxBytes: number;
  /** Everything besides the tokens that a state depends on (model fingerprint, context parameters). */
  namespace: string;
  onLog?: (message: string) => void;
}

interface Entry {
  size: number;
  lastUsed: number;
}

interface Sidecar extends StateFileDigest {
  namespace: string;
  tokenCount: number;
  tokensHash: string;
  savedAt: string;
}

const stateSuffix = ".state";
const sidecarSuffix = ".json";

export class PrefixStateStore {
  readonly #options: PrefixStateStoreOptions;
  readonly #entries = new Map<string, Entry>();
  /** Keys whose save failed, or whose bad file could not be deleted: not tried again in this process. */
  readonly #failed = new Set<string>();

  private constructor(options: PrefixStateStoreOptions) {
    this.#options = options;
  }

  /** Opens (creating) the folder and indexes the states already in it. */
  static async open(options: PrefixStateStoreOptions): Promise<PrefixStateStore> {
    await mkdir(options.dir, { recursive: true });
    // A folder that cannot be written (read-only mount, wrong owner) is refused
    // here, once, rather than failing every save later.
    const probe = join(options.dir, `.probe-${randomBytes(6).toString("hex")}.partial`);
    await writeFile(probe, "");
    await rm(probe, { force: true });
    const store = new PrefixStateStore(options);
    for (const name of await readdir(options.dir)) {
      const path = join(options.dir, name);
      if (name.endsWith(".partial")) {
        await rm(path, { force: true });
        continue;
      }
      if (!name.endsWith(stateSuffix)) continue;
      const info = await stat(path).catch(() => undefined);
      if (info) store.#entries.set(name.slice(0, -stateSuffix.length), { size: info.size, lastUsed: info.mtimeMs });
    }
    await store.#enforceBound();
    return store;
  }

  /** Bytes of state files held now. */
  get totalBytes(): number {
    let total = 0;
    for (const entry of this.#entries.values()) total += entry.size;
    return total;
  }

  /** The key of a prefix: namespace and exact tokens. */
  keyFor(tokens: readonly number[]): string {
    return createHash("sha256").update(this.#options.namespace).update("\0").update(tokensHash(tokens)).digest("hex").slice(0, 40);
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** True when the prefix is not saved yet and saving it has not failed before. */
  shouldSave(key: string): boolean {
    return !this.#entries.has(key) && !this.#failed.has(key);
  }

  /**
   * Writes a state through `write` (which saves the sequence to the path it is
   * given), then publishes it atomically. Failures are logged, never thrown.
   */
  async save(key: string, tokens: readonly number[], write: (path: string) => Promise<unknown>): Promise<boolean> {
    const target = join(this.#options.dir, key + stateSuffix);
    const suffix = `${randomBytes(6).toString("hex")}.partial`;
    const partial = `${target}.${suffix}`;
    const sidecarPath = join(this.#options.dir, key + sidecarSuffix);
    const sidecarPartial = `${sidecarPath}.${suffix}`;
    try {
      await write(partial);
      // The bytes reach the disk before the names that publish them do.
      await syncFile(partial);
      const digest = await digestStateFile(partial);
      const sidecar: Sidecar = { namespace: this.#options.namespace, tokenCount: tokens.length, tokensHash: tokensHash(tokens), ...digest, savedAt: new Date().toISOString() };
      await writeFile(sidecarPartial, JSON.stringify(sidecar));
      await syncFile(sidecarPartial);
      await rename(sidecarPartial, sidecarPath);
      await rename(partial, target);
      await syncFolder(this.#options.dir);
      this.#entries.set(key, { size: digest.stateBytes, lastUsed: Date.now() });
      this.#options.onLog?.(`prefix state ${key} saved: ${tokens.length} tokens, ${(digest.stateBytes / 1024 / 1024).toFixed(1)} MiB`);
      await this.#enforceBound();
      return true;
    } catch (error) {
      this.#failed.add(key);
      await rm(partial, { force: true }).catch(() => undefined);
      await rm(sidecarPartial, { force: true }).catch(() => undefined);
      this.#options.onLog?.(`prefix state ${key} not saved: ${describe(error)}`);
      return false;
    }
  }

  /**
   * Checks the state file against its record (namespace, tokens, length,
   * checksum), loads it through `load`, then checks it with `verify` (did the
   * sequence get exactly the expected tokens?). On any failure the file is
   * deleted and false returned; the caller must then treat the sequence as empty.
   */
  async restore(key: string, tokens: readonly number[], load: (path: string) => Promise<unknown>, verify: () => boolean): Promise<boolean> {
    const target = join(this.#options.dir, key + stateSuffix);
    try {
      const sidecar = JSON.parse(await readFile(join(this.#options.dir, key + sidecarSuffix), "utf8")) as Partial<Sidecar>;
      if (sidecar.namespace !== this.#options.namespace || sidecar.tokenCount !== tokens.length || sidecar.tokensHash !== tokensHash(tokens)) {
        throw new Error("its record does not match this model, context or prefix");
      }
      // Before any native load: llama.cpp aborts the process on a short file.
      await checkStateFile(target, sidecar);
      await load(target);
      if (!verify()) throw new Error("it did not restore the expected tokens");
      const now = new Date();
      await utimes(target, now, now).catch(() => undefined);
      const entry = this.#entries.get(key);
      if (entry) entry.lastUsed = now.getTime();
      this.#options.onLog?.(`prefix state ${key} restored: ${tokens.length} tokens`);
      return true;
    } catch (error) {
      const removed = await this.#remove(key).then(
        () => "deleted",
        (removeError: unknown) => {
          this.#failed.add(key);
          return `could not be deleted (${describe(removeError)}); not used again until a restart`;
        },
      );
      this.#options.onLog?.(`prefix state ${key} is bad and ${removed}; the prefix is evaluated instead: ${describe(error)}`);
      return false;
    }
  }

  async #enforceBound(): Promise<void> {
    const byAge = [...this.#entries.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    let total = this.totalBytes;
    for (const [key, entry] of byAge) {
      if (total <= this.#options.maxBytes) break;
      await this.#remove(key).catch((error: unknown) => this.#options.onLog?.(`prefix state ${key} could not be evicted: ${describe(error)}`));
      total -= entry.size;
    }
  }

  async #remove(key: string): Promise<void> {
    this.#entries.delete(key);
    await rm(join(this.#options.dir, key + stateSuffix), { force: true });
    await rm(join(this.#options.dir, key + sidecarSuffix), { force: true });
  }
}

function tokensHash(tokens: readonly number[]): string {
  return createHash("sha256").update(Uint32Array.from(tokens)).digest("hex");
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}
