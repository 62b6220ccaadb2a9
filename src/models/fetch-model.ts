/**
 * @module models/fetch-model
 * `urial pull`: a model named by an `hf:` URI or a URL ends up verified in the
 * models folder, once. The cache is asked first (no network); otherwise one
 * quick probe fails fast when offline, node-llama-cpp's downloader writes the
 * file into `<models>/.partial/`, and only a file that passes every check is
 * moved into the cache. A transfer that was interrupted or stalled leaves
 * only its resume journal in `.partial/` (when the server can resume); any
 * other failure leaves nothing.
 */
import { mkdir, open, rename, rm, rmdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { findRecordedModel, readCacheRecord, writeCacheRecord } from "./cache-record.js";
import { redactToken, type DownloadSettings } from "./download-settings.js";
import { formatBytes } from "./format-bytes.js";
import { ModelFetchError, offlineHint } from "./model-fetch-error.js";
import type { ModelFiles, PreparedDownload } from "./model-files.js";
import { describeReference, hubFileUrl, parseModelReference, type RemoteReference } from "./model-reference.js";
import { partialDirName } from "./models-dir.js";
import { ProbeError, probeSource, type SourceProbe } from "./probe-source.js";
import type { PullEvent } from "./pull-event.js";
import { runTransfer, type TransferOutcome } from "./run-transfer.js";
import { TransferSizeError, verifyModelFile } from "./verify-model-file.js";

export interface FetchModelOptions {
  /** The models cache folder. */
  modelsDir: string;
  /** node-llama-cpp's resolver, downloader and GGUF reader (`engine/llama-model-files`). */
  files: ModelFiles;
  settings: DownloadSettings;
  onEvent?: (event: PullEvent) => void;
  /** Stops a transfer in progress; its partial file is kept for a resume. */
  signal?: AbortSignal;
  /**
   * What to do without the network, in the words of the command that asked
   * (only options that command has). Defaults to `offlineHint(modelsDir)`,
   * which names `--model`.
   */
  offlineHint?: string;
}

export interface FetchedModel {
  /** The model file in the cache. */
  path: string;
  /** Its file name, which `--model` also accepts. */
  name: string;
  /** True when nothing was downloaded. */
  cached: boolean;
  /** Whether a sha256 from the source was checked (now or when it was pulled). */
  sha256Verified: boolean;
}

/** Returns the cached model, downloading and verifying it first when needed; throws `ModelFetchError`. */
export async function fetchModel(given: RemoteReference, options: FetchModelOptions): Promise<FetchedModel> {
  try {
    return await fetchModelOnce(given, options);
  } catch (error) {
    // A download whose size came out wrong (nothing of it was kept) gets one fresh try.
    if (error instanceof ModelFetchError && error.retryable) return fetchModelOnce(given, options);
    throw error;
  }
}

async function fetchModelOnce(given: RemoteReference, options: FetchModelOptions): Promise<FetchedModel> {
  const reference = asHubReference(given, options.settings.hubEndpoint);
  const source = describeReference(reference);
  const { modelsDir, files, settings } = options;
  const fail = (problem: string, retryable = false) => new ModelFetchError(source, redactToken(problem, settings.hubToken), retryable);
  const emit = options.onEvent ?? (() => undefined);

  const cachedPath = await findCachedModel(reference, options);
  if (cachedPath !== undefined) return useCachedFile(cachedPath, emit, fail);

  const probe = await probeReference(reference, options).catch((error: unknown) => {
    if (options.signal?.aborted) throw fail("interrupted before the download started");
    throw error instanceof ProbeError ? fail(describeProbeFailure(error, reference, options)) : error;
  });

  const partialDir = join(modelsDir, partialDirName);
  await mkdir(partialDir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw fail(`cannot create the models folder ${partialDir} (${error.code ?? error.message})`);
  });
  let download: PreparedDownload;
  try {
    download = await files.prepareDownload({ uri: source, directory: partialDir, hubEndpoint: settings.hubEndpoint, hubToken: settings.hubToken });
  } catch (error) {
    throw fail(`cannot start the download (${firstLine(error)})`);
  }
  const name = download.fileName;
  const staged = join(partialDir, name);
  const finalPath = join(modelsDir, name);
  const total = download.totalSize || probe.size || 0;

  // Pulled before under a record-less name (e.g. by node-llama-cpp itself): keep it.
  const existing = await sizeOf(finalPath);
  if (existing !== undefined && total > 0 && existing === total) {
    await download.cancel();
    await removeIfEmpty(partialDir);
    if ((await readCacheRecord(finalPath)) === undefined) {
      await writeCacheRecord(finalPath, { format: "urial-model", version: 1, source, size: existing, sha256: null, pulledAt: new Date().toISOString() }).catch(() => undefined);
    }
    return useCachedFile(finalPath, emit, fail);
  }

  emit({ type: "start", name, source, total, resumedFrom: Math.min(download.downloadedSize(), total || Infinity) });
  const outcome = await runTransfer(download, {
    stallTimeoutMs: settings.stallTimeoutMs,
    signal: options.signal,
    onProgress: (downloaded, reportedTotal) => {
      const size = reportedTotal || total;
      // The downloader counts whole 5 MiB chunks, so it can overshoot; never report more than the file.
      emit({ type: "progress", name, downloaded: size > 0 ? Math.min(downloaded, size) : downloaded, total: size });
    },
  });
  if (outcome.type !== "done") {
    await download.cancel().catch(() => undefined);
    const kept = probe.acceptRanges && total > 0 && (await keepResumeJournal(staged, total));
    if (!kept) await removeStaged(staged);
    await removeIfEmpty(partialDir);
    throw fail(describeOutcome(outcome, total, settings, kept ? partialDir : undefined));
  }

  emit({ type: "verifying", name, sha256: probe.sha256 !== undefined });
  let verified;
  try {
    verified = await verifyModelFile(staged, { size: probe.size ?? (download.totalSize || undefined), sha256: probe.sha256 }, files.inspect);
  } catch (error) {
    await removeStaged(staged);
    await removeIfEmpty(partialDir);
    throw fail(`${firstLine(error)}. Nothing was kept; try again, or ask the source.`, error instanceof TransferSizeError);
  }
  try {
    await rename(staged, finalPath);
    await writeCacheRecord(finalPath, {
      format: "urial-model",
      version: 1,
      source,
      size: verified.size,
      sha256: verified.sha256Verified ? probe.sha256! : null,
      pulledAt: new Date().toISOString(),
    });
  } catch (error) {
    await removeStaged(staged);
    await removeIfEmpty(partialDir);
    throw fail(`cannot move the file into ${modelsDir} (${firstLine(error)})`);
  }
  await removeIfEmpty(partialDir);
  emit({ type: "done", name, path: finalPath, size: verified.size, sha256Verified: verified.sha256Verified });
  return { path: finalPath, name, cached: false, sha256Verified: verified.sha256Verified };
}

/** A hub repository page URL (`https://huggingface.co/<user>/<repo>`) means `hf:<user>/<repo>`, as node-llama-cpp reads it too. */
function asHubReference(reference: RemoteReference, hubEndpoint: string): RemoteReference {
  if (reference.kind !== "url") return reference;
  const url = new URL(reference.url);
  const parts = url.pathname.split("/").filter(Boolean);
  if (url.hostname !== new URL(hubEndpoint).hostname || parts.length !== 2) return reference;
  return parseModelReference(`hf:${decodeURIComponent(parts[0]!)}/${decodeURIComponent(parts[1]!)}`) as RemoteReference;
}

/** The cached file for a reference, looked up without the network: by the record of what was pulled, then by node-llama-cpp's naming. */
async function findCachedModel(reference: RemoteReference, options: FetchModelOptions): Promise<string | undefined> {
  const source = describeReference(reference);
  const recorded = await findRecordedModel(options.modelsDir, source);
  if (recorded !== undefined) return recorded;
  if (reference.kind !== "hub") return undefined;
  return options.files.findCached(source, options.modelsDir, options.settings.hubEndpoint).catch(() => undefined);
}

/** A cached file is used after a cheap check (GGUF magic, the size it was pulled with); a damaged one is reported, not re-downloaded over. */
async function useCachedFile(path: string, emit: (event: PullEvent) => void, fail: (problem: string) => ModelFetchError): Promise<FetchedModel> {
  const name = basename(path);
  const record = await readCacheRecord(path);
  const size = (await sizeOf(path)) ?? 0;
  const handle = await open(path, "r");
  const magic = Buffer.alloc(4);
  try {
    await handle.read(magic, 0, 4, 0);
  } finally {
    await handle.close();
  }
  if (magic.toString("latin1") !== "GGUF" || (record !== undefined && record.size !== size)) {
    throw fail(
      `the cached file ${path} is damaged (${magic.toString("latin1") !== "GGUF" ? "no GGUF magic" : `${size} bytes, pulled with ${record!.size}`}); remove it with 'urial models rm ${name}' and pull again`,
    );
  }
  emit({ type: "cached", name, path, size });
  return { path, name, cached: true, sha256Verified: record?.sha256 != null };
}

/** One quick request: the file itself where its URL is known, else the hub (node-llama-cpp resolves a quant tag there). */
async function probeReference(reference: RemoteReference, options: FetchModelOptions): Promise<SourceProbe> {
  const { settings } = options;
  const hubOrigin = new URL(settings.hubEndpoint).origin;
  const headersFor = (url: URL): Record<string, string> => (settings.hubToken !== undefined && url.origin === hubOrigin ? { authorization: `Bearer ${settings.hubToken}` } : {});
  const common = { timeoutMs: settings.connectTimeoutMs, headersFor, signal: options.signal };
  if (reference.kind === "url") return probeSource(reference.url, common);
  const fileUrl = hubFileUrl(settings.hubEndpoint, reference);
  if (fileUrl !== undefined) return probeSource(fileUrl, common);
  return probeSource(settings.hubEndpoint, { ...common, reachabilityOnly: true });
}

function describeProbeFailure(error: ProbeError, reference: RemoteReference, options: FetchModelOptions): string {
  const { failure } = error;
  const host = reference.kind === "url" ? new URL(reference.url).host : new URL(options.settings.hubEndpoint).host;
  if (failure.type === "unreachable") return `cannot reach ${host} to download it (${failure.detail}). ${options.offlineHint ?? offlineHint(options.modelsDir)}`;
  const { status } = failure;
  if (status === 401 || status === 403) {
    return reference.kind === "hub"
      ? `${host} refused access (HTTP ${status}): the repository may be gated or private; set HF_TOKEN to an access token that can read it`
      : `${host} refused access (HTTP ${status})`;
  }
  if (status === 404) return `not found on ${host} (HTTP 404); check the ${reference.kind === "hub" ? "user, repository and file name" : "URL"}`;
  if (status === 429 || status >= 500) return `${host} answered HTTP ${status}; try again later`;
  return `${host} answered HTTP ${status}`;
}

function describeOutcome(outcome: Exclude<TransferOutcome, { type: "done" }>, total: number, settings: DownloadSettings, keptIn: string | undefined): string {
  const at =
    total > 0 ? `${Math.floor((Math.min(outcome.downloaded, total) / total) * 100)} % (${formatBytes(Math.min(outcome.downloaded, total))} of ${formatBytes(total)})` : formatBytes(outcome.downloaded);
  const after = keptIn !== undefined ? `The partial download is kept in ${keptIn}; run the same command again to resume.` : "Nothing was kept (this server cannot resume a download).";
  switch (outcome.type) {
    case "stalled":
      return `the transfer stalled at ${at}: no new data for ${settings.stallTimeoutMs / 1000} s (the server stopped sending, or kept closing the connection). ${after}`;
    case "interrupted":
      return `interrupted at ${at}. ${after}`;
    case "failed":
      return `the download failed at ${at} (${firstLine(outcome.error)}). ${after}`;
  }
}

/**
 * After a stopped transfer, keeps the downloader's resume journal
 * (`<name>.ipull`: the bytes so far, then its progress record). When it
 * counted whole chunks up to 100 % it may already have renamed that journal to
 * the final name; move it back, so nothing unverified is ever taken for done.
 * Returns whether a journal worth resuming is left.
 */
async function keepResumeJournal(staged: string, total: number): Promise<boolean> {
  const journal = `${staged}.ipull`;
  if ((await sizeOf(staged)) !== undefined) await rename(staged, journal).catch(() => undefined);
  // Only a journal with a progress record after the bytes can resume; one without would start over anyway.
  return ((await sizeOf(journal)) ?? 0) > total;
}

async function removeStaged(staged: string): Promise<void> {
  await rm(staged, { force: true });
  await rm(`${staged}.ipull`, { force: true });
}

/** The staging folder goes when nothing waits in it. */
async function removeIfEmpty(dir: string): Promise<void> {
  await rmdir(dir).catch(() => undefined);
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim();
}
