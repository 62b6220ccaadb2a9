/**
 * @module bench/measure/llama-server-peer
 * A real llama-server (the llama.cpp release node-llama-cpp bundles, see
 * ../shared/peers/README.md) as a benchmark peer: started as a child process
 * on a free loopback port, asked for streamed raw completions of exactly the
 * prompt text the proxy renders, and stopped by its own process id.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { StreamTiming } from "./bench-server.js";
import { preparePeerLibraries } from "./peer-libraries.js";
import { freePort } from "./free-port.js";

export interface PeerServer {
  url: string;
  /** The arguments it was started with (besides model, port and context). */
  args: string[];
  close(): Promise<void>;
}

/** Whether a llama-server wrapper is at `path`. */
export function peerExists(path: string): boolean {
  return existsSync(path);
}

/**
 * Starts llama-server with `-m model -c contextPerSlot×parallel -np parallel`
 * plus `args`, and waits until /health answers 200 (at most `timeoutMs`).
 */
export async function startPeerServer(path: string, modelPath: string, contextPerSlot: number, parallel: number, args: string[], timeoutMs = 120_000): Promise<PeerServer> {
  const port = await freePort();
  // The peer folder's wrapper: run its binary with the library links repaired
  // (the shared copy lost them); any other path is run as it is.
  const folder = dirname(path);
  const wrapped = basename(path) === "llama-server.sh" && existsSync(join(folder, "llama-server"));
  const libraries = wrapped ? preparePeerLibraries(folder) : undefined;
  const command = libraries ? join(libraries.dir, "llama-server") : path;
  const env = libraries ? { ...process.env, LD_LIBRARY_PATH: libraries.dir } : process.env;
  const child: ChildProcess = spawn(
    command,
    ["-m", modelPath, "--host", "127.0.0.1", "--port", String(port), "-c", String(contextPerSlot * parallel), "-np", String(parallel), "--no-webui", ...args],
    {
      stdio: ["ignore", "ignore", "pipe"],
      env,
    },
  );
  child.once("exit", () => libraries?.cleanup());
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${url}/health`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) break;
    const gone = await Promise.race([exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 250))]);
    if (gone !== undefined || Date.now() > deadline) {
      if (gone === undefined) child.kill("SIGKILL");
      throw new Error(`llama-server ${args.join(" ")} did not start (exit ${gone ?? "timeout"}): ${log.split("\n").slice(-5).join(" | ")}`);
    }
  }
  return {
    url,
    args,
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * One streamed `/completion`-style request on llama-server's OpenAI route
 * `/v1/completions`, greedy, timed at the client like `timedChat`: the first
 * chunk that carries text is the first token.
 */
export async function timedPeerCompletion(url: string, prompt: string, maxTokens: number): Promise<StreamTiming> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ prompt, max_tokens: maxTokens, temperature: 0, top_k: 0, top_p: 1, min_p: 0, repeat_penalty: 1, stream: true, cache_prompt: true }),
  });
  if (!response.ok || !response.body) throw new Error(`llama-server HTTP ${response.status}: ${await response.text()}`);
  let firstChunk = 0;
  let lastChunk = 0;
  let tokens = 0;
  let promptTokens = 0;
  let cachedTokens = 0;
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const bytes of response.body) {
    const now = performance.now();
    buffer += decoder.decode(bytes as Uint8Array, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
      if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
      const chunk = JSON.parse(line.slice(6)) as { choices?: { text?: string }[]; timings?: { prompt_n?: number; cache_n?: number; predicted_n?: number }; error?: unknown };
      if (chunk.error) throw new Error(`llama-server: ${JSON.stringify(chunk.error)}`);
      if ((chunk.choices?.[0]?.text ?? "").length > 0) {
        tokens += 1;
        if (firstChunk === 0) firstChunk = now;
        lastChunk = now;
      }
      if (chunk.timings) {
        if (chunk.timings.predicted_n !== undefined) tokens = chunk.timings.predicted_n;
        cachedTokens = chunk.timings.cache_n ?? cachedTokens;
        promptTokens = (chunk.timings.prompt_n ?? 0) + cachedTokens;
      }
    }
  }
  return { firstChunkMs: firstChunk - started, streamMs: lastChunk - firstChunk, completionTokens: tokens, cachedTokens, promptTokens };
}
