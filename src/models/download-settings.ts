/**
 * @module models/download-settings
 * Network settings of a model download, read from the environment in one
 * place. Pure. The hub token comes only from `HF_TOKEN` (never from files,
 * never logged); `HF_ENDPOINT` points `hf:` URIs at a mirror.
 */

export interface DownloadSettings {
  /** Hugging Face endpoint for `hf:` URIs. Defaults to `https://huggingface.co/` (env `HF_ENDPOINT`). */
  hubEndpoint: string;
  /** Access token for gated or private hub repositories (env `HF_TOKEN`); sent only to the hub. */
  hubToken: string | undefined;
  /** How long to wait for a server's first answer before calling it unreachable. Defaults to 10 s (env `URIAL_CONNECT_TIMEOUT`, seconds). */
  connectTimeoutMs: number;
  /** A transfer that gains no new byte for this long is stopped (its partial file is kept for a resume). Defaults to 30 s (env `URIAL_DOWNLOAD_STALL_TIMEOUT`, seconds). */
  stallTimeoutMs: number;
}

export const defaultHubEndpoint = "https://huggingface.co/";

/** Reads the settings; throws `Error` naming the variable and the rule for a bad value. */
export function downloadSettingsFrom(env: Readonly<Record<string, string | undefined>>): DownloadSettings {
  const endpoint = env.HF_ENDPOINT || defaultHubEndpoint;
  if (!/^https?:\/\/[^/]/i.test(endpoint)) throw new Error(`HF_ENDPOINT must be an http(s) URL; got '${endpoint}'`);
  return {
    hubEndpoint: endpoint.endsWith("/") ? endpoint : `${endpoint}/`,
    hubToken: env.HF_TOKEN || undefined,
    connectTimeoutMs: seconds(env, "URIAL_CONNECT_TIMEOUT", 10),
    stallTimeoutMs: seconds(env, "URIAL_DOWNLOAD_STALL_TIMEOUT", 30),
  };
}

function seconds(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback * 1000;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 86_400) throw new Error(`${name} must be a number of seconds above 0 (at most 86400); got '${raw}'`);
  return value * 1000;
}

/** Replaces every occurrence of the token in `text`, so no message can leak it. */
export function redactToken(text: string, token: string | undefined): string {
  return token ? text.split(token).join("***") : text;
}
