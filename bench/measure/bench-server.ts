/**
 * @module bench/measure/bench-server
 * The real proxy (app + llama engine) on a loopback port, and two exemplar
 * sets written to a temporary folder whose prefixes reach a target token
 * count — what the proxy-side measurements run against.
 */
import { serve, type ServerType } from "@hono/node-server";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import type { Engine } from "../../src/engine/engine.js";
import { startLlamaEngine, type LlamaEngineOptions } from "../../src/engine/llama-engine.js";
import { renderUrialPrompt } from "../../src/prompt/render-urial-prompt.js";
import { createApp } from "../../src/server/app.js";

export interface BenchSets {
  exemplarsDir: string;
  systemPromptsDir: string;
  /** Set names, e.g. ["bench-a", "bench-b"]. */
  names: string[];
  /** The prefix text of each set (system + exemplars), as the server renders it. */
  prefixes: string[];
}

const topics = [
  "a lighthouse keeper",
  "a small robot",
  "a river otter",
  "a baker",
  "a mountain goat",
  "a paper kite",
  "an old clock",
  "a garden snail",
  "a city pigeon",
  "a sleepy cat",
  "a brave mouse",
  "a tall giraffe",
];

/** One exemplar of a few hundred characters; varied per index so sets differ. */
function exemplar(set: string, index: number) {
  const topic = topics[index % topics.length]!;
  return {
    id: `${set}-${index}`,
    query: `Could you tell me a short story about ${topic}, number ${index}?`,
    answer: [
      `Of course! Here is a short story about ${topic}.`,
      "",
      `1. **The start**: Once upon a time there lived ${topic} who liked to watch the sky every morning.`,
      `2. **The problem**: One day a storm came and ${topic} could not find the way home.`,
      `3. **The help**: A kind friend showed the path, and they walked together through the rain.`,
      "",
      `In short, ${topic} learned that friends make hard days easier. I hope you enjoyed it!`,
    ],
  };
}

/**
 * Writes two sets (`bench-a`, `bench-b`), plus `extra` more (`cold-0`, …, for
 * measurements that need a prefix no server has seen), whose prefixes hold at
 * most `prefixTokens` tokens under `tokenize` (exemplars are added while they fit).
 */
export function writeBenchSets(tokenize: (text: string) => number[], prefixTokens: number, extra = 0): BenchSets {
  const root = mkdtempSync(join(tmpdir(), "urial-bench-"));
  const exemplarsDir = join(root, "exemplars");
  const systemPromptsDir = join(root, "system-prompts");
  mkdirSync(exemplarsDir);
  mkdirSync(systemPromptsDir);
  const names = ["bench-a", "bench-b", ...Array.from({ length: extra }, (_, index) => `cold-${index}`)];
  const prefixes: string[] = [];
  names.forEach((name, setIndex) => {
    const system = `# Instruction\n\nBelow are conversations between a person and a helpful assistant (benchmark set ${name}). The assistant answers with short, friendly stories.`;
    writeFileSync(join(systemPromptsDir, `${name}.json`), JSON.stringify({ name, version: "1", description: "benchmark", text: system }));
    const exemplars: ReturnType<typeof exemplar>[] = [];
    let prefix = "";
    const render = () => {
      const rendered = renderUrialPrompt({ system, exemplars: exemplars.map((each) => ({ query: each.query, answer: each.answer.join("\n") })), history: [], query: "x" });
      return rendered.text.slice(0, rendered.prefixLength);
    };
    // Add exemplars while the prefix stays within the target (at least one).
    for (let index = 0; index < 200; index += 1) {
      exemplars.push(exemplar(name, index * 2 + setIndex));
      const next = render();
      if (tokenize(next).length > prefixTokens && exemplars.length > 1) {
        exemplars.pop();
        break;
      }
      prefix = next;
    }
    prefixes.push(prefix);
    writeFileSync(join(exemplarsDir, `${name}.json`), JSON.stringify({ name, version: "1", description: "benchmark", systemPrompt: name, exemplars }));
  });
  return { exemplarsDir, systemPromptsDir, names, prefixes };
}

export interface BenchServer {
  url: string;
  engine: Engine;
  close(): Promise<void>;
}

/** Starts the proxy on 127.0.0.1 with a real engine. */
export async function startBenchServer(sets: BenchSets, engineOptions: LlamaEngineOptions): Promise<BenchServer> {
  const engine = await startLlamaEngine(engineOptions);
  const catalog = await loadCatalog({ exemplarsDir: sets.exemplarsDir, systemPromptsDir: sets.systemPromptsDir, defaultSet: sets.names[0]! });
  const app = createApp({ engine: () => engine, catalog, systemMessageMode: "append", maxBodyBytes: 16 * 1024 * 1024 });
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(started));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    engine,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.dispose();
    },
  };
}

export interface StreamTiming {
  /** ms from sending the request to the first SSE chunk (sent at the first generated token). */
  firstChunkMs: number;
  /** ms from the first to the last content-bearing chunk. */
  streamMs: number;
  completionTokens: number;
  cachedTokens: number;
  promptTokens: number;
}

/** One streamed chat request, timed at the client. */
export async function timedChat(url: string, model: string, query: string, maxTokens: number): Promise<StreamTiming> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model,
      messages: [{ role: "user", content: query }],
      max_tokens: maxTokens,
      temperature: 0,
      repetition_penalty: 1,
      stream: true,
      stream_options: { include_usage: true },
    }),
  });
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  let firstChunk = 0;
  let lastChunk = 0;
  let usage = { completion_tokens: 0, prompt_tokens: 0, prompt_tokens_details: { cached_tokens: 0 } };
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const bytes of response.body) {
    const now = performance.now();
    if (firstChunk === 0) firstChunk = now;
    buffer += decoder.decode(bytes as Uint8Array, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
      if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
      // The client shares the event loop with the server it measures: parse
      // only what it needs (errors and the usage chunk), not every token chunk.
      if (line.startsWith('data: {"error"')) throw new Error(line.slice(6));
      if (line.includes('"choices":[]')) {
        const chunk = JSON.parse(line.slice(6)) as { usage?: typeof usage };
        if (chunk.usage) usage = chunk.usage;
      } else lastChunk = now;
    }
  }
  return {
    firstChunkMs: firstChunk - started,
    streamMs: lastChunk - firstChunk,
    completionTokens: usage.completion_tokens,
    cachedTokens: usage.prompt_tokens_details.cached_tokens,
    promptTokens: usage.prompt_tokens,
  };
}
