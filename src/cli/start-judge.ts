/**
 * @module cli/start-judge
 * Opens the judge a command names: `URL` (an OpenAI-compatible endpoint;
 * connected when first needed, or at once to learn its model when none is
 * given) or `local` (a chat GGUF loaded in this process when first needed;
 * identified by a fingerprint of the file, so its cached judgements are
 * kept only while the file is the same).
 */
import { physicalCoreCount } from "../platform/physical-core-count.js";
import { connectOpenAiJudge, judgeBaseUrl } from "../ab/judge/openai-judge.js";
import { createLocalJudge } from "../ab/judge/local-judge.js";
import type { JudgeBackend, JudgeDescription } from "../ab/judge/judge-backend.js";
import type { LazyJudge } from "../ab/offline/run-ab.js";
import { startScoringRuntime } from "../engine/llama-scoring-runtime.js";
import { fingerprintModelFile, nodeLlamaCppVersion } from "../engine/model-fingerprint.js";
import { ChatTemplateError } from "../engine/scoring-model.js";
import { resolveModelOption, type ModelOptionContext } from "./resolve-model-option.js";

export interface JudgeOption {
  /** `local` or a URL. */
  judge: string;
  /** A model name (URL) or a GGUF (local). */
  model?: string;
  apiKey?: string;
  timeoutSeconds: number;
  /** Local judge only. */
  contextSize?: number;
  /** A count, or auto (measured per model, up to the physical core count). */
  threads: number | "auto";
  /** Prefill (prompt) threads, or auto (every physical core). */
  batchThreads: number | "auto";
  gpu: "auto" | "cuda" | "vulkan" | "metal" | false;
  models: ModelOptionContext;
  onLog?: (message: string) => void;
}

/** The judge settings every `urial ab` command reads (see config/ab-config). */
export interface JudgeSettings {
  judgeApiKey?: string | undefined;
  judgeTimeout: number;
  judgeContextSize?: number | undefined;
  threads: JudgeOption["threads"];
  batchThreads: JudgeOption["batchThreads"];
  gpu: JudgeOption["gpu"];
}

/** The `openJudge` option for `judge` (a URL or `local`) and its `model`, from a command's settings. */
export function judgeOptionFrom(settings: JudgeSettings, judge: string, model: string | undefined, models: ModelOptionContext): JudgeOption {
  return {
    judge,
    ...(model !== undefined ? { model } : {}),
    ...(settings.judgeApiKey !== undefined ? { apiKey: settings.judgeApiKey } : {}),
    timeoutSeconds: settings.judgeTimeout,
    ...(settings.judgeContextSize !== undefined ? { contextSize: settings.judgeContextSize } : {}),
    threads: settings.threads,
    batchThreads: settings.batchThreads,
    gpu: settings.gpu,
    models,
  };
}

/** A judge that can be used once `connect()`ed, and its description (known before connecting). */
export interface OpenedJudge extends LazyJudge {
  /** Who judges, for the reports (known without connecting). */
  description: JudgeDescription;
  /** Disposes the backend if it was connected. */
  close(): Promise<void>;
}

export async function openJudge(option: JudgeOption): Promise<OpenedJudge> {
  let backend: JudgeBackend | undefined;
  let connecting: Promise<JudgeBackend> | undefined;
  const once = (start: () => Promise<JudgeBackend>) => () => {
    connecting ??= start().then((opened) => (backend = opened));
    return connecting;
  };
  const close = async () => {
    await backend?.dispose();
  };
  if (option.judge !== "local") {
    const remote = {
      url: option.judge,
      ...(option.model !== undefined ? { model: option.model } : {}),
      ...(option.apiKey !== undefined ? { apiKey: option.apiKey } : {}),
      timeoutMs: option.timeoutSeconds * 1000,
    };
    if (option.model === undefined) {
      // The model name is part of every judgement's key: ask the endpoint now.
      const connected = await connectOpenAiJudge(remote);
      backend = connected;
      return { identity: connected.description.identity, description: connected.description, connect: async () => connected, close };
    }
    const identity = `remote ${judgeBaseUrl(option.judge)} ${option.model}`;
    return { identity, description: { kind: "remote", model: option.model, url: judgeBaseUrl(option.judge), identity }, connect: once(() => connectOpenAiJudge(remote)), close };
  }
  const path = await resolveModelOption(option.model!, option.models);
  const fingerprint = await fingerprintModelFile(path, `node-llama-cpp ${nodeLlamaCppVersion()}`);
  const identity = `${fingerprint} context ${option.contextSize ?? "auto"}`;
  return {
    identity: `local ${identity}`,
    description: { kind: "local", model: path, identity: `local ${identity}` },
    connect: once(async () => {
      option.onLog?.(`loading the judge ${path}`);
      const runtime = await startScoringRuntime({ threads: option.threads, batchThreads: option.batchThreads, maxThreads: physicalCoreCount(), gpu: option.gpu });
      try {
        const model = await runtime.loadModel({ modelPath: path, ...(option.contextSize !== undefined ? { contextSize: option.contextSize } : {}), lanes: 1 });
        if (model.info.chatTemplate === null) throw new ChatTemplateError(`${path}: the local judge must be a chat model, but this GGUF has no chat template`);
        return createLocalJudge(model, identity, () => runtime.dispose());
      } catch (error) {
        await runtime.dispose();
        throw error;
      }
    }),
    close,
  };
}
