/**
 * @module catalog/watch-catalog
 * Hot reload: watches the exemplar and system-prompt folders and reloads the
 * catalog when a file changes. A broken edit keeps the last good catalog and
 * reports the problem. New requests see the new sets at once; a changed set
 * has a new content hash, so its prefix is a new cache entry.
 */
import { watch, type FSWatcher } from "node:fs";
import type { Catalog } from "./catalog.js";
import { loadCatalog, type CatalogLocation } from "./load-catalog.js";

export interface CatalogWatcher {
  /** A live view: always the latest good catalog. */
  readonly catalog: Catalog;
  /** Reloads now (also what a file change triggers); resolves true when the new catalog was taken. */
  reload(): Promise<boolean>;
  close(): void;
}

export interface WatchOptions {
  /** Waits this long after the last change before reloading. Defaults to 150 ms. */
  debounceMs?: number;
  /** Told about every reload: the new set hashes, or the problem that kept the old catalog. */
  onReload?: (outcome: { ok: true; catalog: Catalog } | { ok: false; error: Error }) => void;
}

/** Starts watching from an already loaded catalog. */
export function watchCatalog(location: CatalogLocation, initial: Catalog, options: WatchOptions = {}): CatalogWatcher {
  let current = initial;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<boolean> | undefined;
  let queued: Promise<boolean> | undefined;

  const load = async (): Promise<boolean> => {
    try {
      const next = await loadCatalog(location);
      current = next;
      options.onReload?.({ ok: true, catalog: next });
      return true;
    } catch (error) {
      options.onReload?.({ ok: false, error: error instanceof Error ? error : new Error(String(error)) });
      return false;
    }
  };

  const settled = () => undefined;
  const reload = (): Promise<boolean> => {
    if (running) {
      // The load in flight may have read the files before this call's edit:
      // queue one more load after it (shared by every call in the meantime),
      // so the caller's promise reflects the files as they were when it asked.
      queued ??= running.then(settled, settled).then(() => {
        queued = undefined;
        return reload();
      });
      return queued;
    }
    running = load().finally(() => {
      running = undefined;
    });
    return running;
  };

  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void reload(), options.debounceMs ?? 150);
    timer.unref();
  };
  const watchers: FSWatcher[] = [location.exemplarsDir, location.systemPromptsDir].map((dir) => {
    const watcher = watch(dir, { persistent: false }, schedule);
    watcher.on("error", () => undefined);
    return watcher;
  });

  return {
    catalog: {
      get sets() {
        return current.sets;
      },
      get defaultSet() {
        return current.defaultSet;
      },
      get systemPrompts() {
        return current.systemPrompts;
      },
    },
    reload,
    close() {
      if (timer) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
