import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { countPhysicalCores } from "../../src/platform/physical-core-count.js";
import { urialCacheDir } from "../../src/platform/cache-dir.js";
import { packageRoot } from "../../src/platform/package-root.js";
import { parseServeConfig, serveHelp, serveOptions, type ParseResult, type ServeConfig } from "../../src/config/serve-config.js";
import { defaultBaseModel } from "../../src/models/default-model.js";

const model = ["--model", "/models/base.gguf"];

/** Limits, logging and upstream settings when none is given (issue 7; tested in serve-config-hardening.test.ts). */
const hardeningDefaults = {
  maxMessages: 256,
  maxInputChars: 200_000,
  maxTokens: 2048,
  requestTimeout: 300,
  headerTimeout: 10,
  bodyTimeout: 30,
  shutdownTimeout: 20,
  logFormat: "auto",
  logPrompts: false,
  upstreamTimeout: 60,
  upstreamHealthInterval: 5,
  upstreamTokenizer: "auto",
};

/** A/B experiment settings when none is given (issue 6; tested in ab-config.test.ts). */
const experimentDefaults = {
  votesLog: join(urialCacheDir({}), "playground", "votes.jsonl"),
  experimentLog: join(urialCacheDir({}), "experiments", "outcomes.jsonl"),
  experimentLogMaxBytes: 64 * 1024 * 1024,
  experimentLogFiles: 5,
  experimentLogText: false,
};

function configOf(result: ParseResult): ServeConfig {
  if (!result.ok) throw new Error(`expected a config, got: ${result.message}`);
  expect(result.help).toBe(false);
  return result.config;
}

function messageOf(result: ParseResult): string {
  if (result.ok) throw new Error("expected an error");
  return result.message;
}

describe("parseServeConfig", () => {
  it("computes every cache default from the environment passed in, not from the process's", () => {
    const config = configOf(parseServeConfig(model, { XDG_CACHE_HOME: "/xdg" }));
    expect(config.modelsDir).toBe(join("/xdg", "urial", "models"));
    expect(config.prefixCacheDir).toBe(join("/xdg", "urial", "prefix-states"));
    expect(config.experimentLog).toBe(join("/xdg", "urial", "experiments", "outcomes.jsonl"));
  });

  // Issue 9 replaced "no model is exit 2" (issue 3) with a documented default base model.
  it("serves the documented default base model when neither --model nor URIAL_MODEL is given, and says so", () => {
    const result = parseServeConfig([], {});
    expect(configOf(result).model).toBe(defaultBaseModel.uri);
    expect(result).toMatchObject({ ok: true, defaultModel: true });
    expect(defaultBaseModel.uri).toMatch(/^hf:[^/]+\/[^/]+\/.+\.gguf$/);
  });

  it("takes the default from URIAL_DEFAULT_MODEL, and a given model over any default", () => {
    expect(configOf(parseServeConfig([], { URIAL_DEFAULT_MODEL: "http://127.0.0.1:9/base.gguf" })).model).toBe("http://127.0.0.1:9/base.gguf");
    const given = parseServeConfig(model, { URIAL_DEFAULT_MODEL: "http://127.0.0.1:9/base.gguf" });
    expect(configOf(given).model).toBe("/models/base.gguf");
    expect(given).not.toHaveProperty("defaultModel");
    expect(parseServeConfig([], { URIAL_MODEL: "hf:user/repo:Q8_0" })).not.toHaveProperty("defaultModel");
  });

  it("treats an empty URIAL_MODEL as not set", () => {
    expect(configOf(parseServeConfig([], { URIAL_MODEL: "" })).model).toBe(defaultBaseModel.uri);
  });

  it("puts pulled models in URIAL_MODELS_DIR, else in urial's cache folder", () => {
    expect(configOf(parseServeConfig(model, {})).modelsDir).toBe(join(urialCacheDir({}), "models"));
    expect(configOf(parseServeConfig(model, { XDG_CACHE_HOME: "/xdg" })).modelsDir).toBe("/xdg/urial/models");
    expect(configOf(parseServeConfig(model, { URIAL_MODELS_DIR: "/env/models" })).modelsDir).toBe("/env/models");
    expect(configOf(parseServeConfig([...model, "--models-dir", "/flag/models"], { URIAL_MODELS_DIR: "/env/models" })).modelsDir).toBe("/flag/models");
  });

  it("rejects an empty --model", () => {
    expect(messageOf(parseServeConfig(["--model", ""], {}))).toBe("--model (or URIAL_MODEL) is required; got ''.");
  });

  it("fills in the defaults", () => {
    expect(configOf(parseServeConfig(model, {}))).toEqual({
      model: "/models/base.gguf",
      modelsDir: join(urialCacheDir({}), "models"),
      host: "127.0.0.1",
      port: 8080,
      exemplars: "urial-help",
      exemplarsDir: join(packageRoot, "exemplars"),
      systemPromptsDir: join(packageRoot, "system-prompts"),
      systemMessage: "append",
      threads: "auto",
      batchThreads: "auto",
      gpu: "auto",
      gpuLayers: "auto",
      flashAttention: "auto",
      parallel: 2,
      maxQueue: 16,
      maxBodyBytes: 4 * 1024 * 1024,
      prefixCacheDir: join(urialCacheDir({}), "prefix-states"),
      prefixCacheMaxBytes: 2 * 1024 ** 3,
      ...hardeningDefaults,
      ...experimentDefaults,
    });
  });

  it("finds the package root (with the shipped exemplars)", () => {
    expect(packageRoot).toBe(join(import.meta.dirname, "..", ".."));
  });

  it("reads every option from its environment variable when the flag is absent", () => {
    const config = configOf(
      parseServeConfig([], {
        URIAL_MODEL: "/env/model.gguf",
        URIAL_MODELS_DIR: "/env/models",
        URIAL_HOST: "0.0.0.0",
        URIAL_PORT: "9000",
        URIAL_EXEMPLARS: "tiny",
        URIAL_EXEMPLARS_DIR: "/ex",
        URIAL_SYSTEM_PROMPTS_DIR: "/sp",
        URIAL_SYSTEM_MESSAGE: "replace",
        URIAL_THREADS: "3",
        URIAL_BATCH_THREADS: "4",
        URIAL_GPU: "cuda",
        URIAL_GPU_LAYERS: "12",
        URIAL_FLASH_ATTENTION: "off",
        URIAL_CONTEXT_SIZE: "2048",
        URIAL_PARALLEL: "4",
        URIAL_MAX_QUEUE: "0",
        URIAL_MAX_BODY_BYTES: "1000",
      }),
    );
    expect(config).toEqual({
      model: "/env/model.gguf",
      modelsDir: "/env/models",
      host: "0.0.0.0",
      port: 9000,
      exemplars: "tiny",
      exemplarsDir: "/ex",
      systemPromptsDir: "/sp",
      systemMessage: "replace",
      threads: 3,
      batchThreads: 4,
      gpu: "cuda",
      gpuLayers: 12,
      flashAttention: "off",
      contextSize: 2048,
      parallel: 4,
      maxQueue: 0,
      maxBodyBytes: 1000,
      prefixCacheDir: join(urialCacheDir({}), "prefix-states"),
      prefixCacheMaxBytes: 2 * 1024 ** 3,
      ...hardeningDefaults,
      ...experimentDefaults,
    });
  });

  it("lets a flag win over its environment variable", () => {
    const config = configOf(
      parseServeConfig(["--model", "/flag.gguf", "--port", "7000", "--system-message", "ignore"], {
        URIAL_MODEL: "/env.gguf",
        URIAL_PORT: "9000",
        URIAL_SYSTEM_MESSAGE: "replace",
      }),
    );
    expect(config.model).toBe("/flag.gguf");
    expect(config.port).toBe(7000);
    expect(config.systemMessage).toBe("ignore");
  });

  it("accepts the --flag=value form", () => {
    expect(configOf(parseServeConfig(["--model=/m.gguf", "--parallel=3"], {})).parallel).toBe(3);
  });

  it("names the flag, the variable and the rule for a bad flag value", () => {
    expect(messageOf(parseServeConfig([...model, "--port", "abc"], {}))).toBe("--port (or URIAL_PORT) must be a port number; got 'abc'.");
    expect(messageOf(parseServeConfig([...model, "--port", "70000"], {}))).toBe("--port (or URIAL_PORT) must be 0–65535; got '70000'.");
  });

  it("takes --threads auto (the default) or a whole number", () => {
    expect(configOf(parseServeConfig([...model, "--threads", "auto"], {})).threads).toBe("auto");
    expect(configOf(parseServeConfig([...model, "--threads", "2"], {})).threads).toBe(2);
    expect(messageOf(parseServeConfig([...model, "--threads", "0"], {}))).toBe("--threads (or URIAL_THREADS) must be at least 1; got '0'.");
  });

  it("names the flag, the variable and the rule for a bad environment value", () => {
    expect(messageOf(parseServeConfig(model, { URIAL_PARALLEL: "0" }))).toBe("--parallel (or URIAL_PARALLEL) must be at least 1; got '0'.");
    expect(messageOf(parseServeConfig(model, { URIAL_THREADS: "2.5" }))).toBe("--threads (or URIAL_THREADS) must be auto or a whole number from 1 to 1024; got '2.5'.");
  });

  it("takes a separate prefill count: --batch-threads auto (the default) or a whole number", () => {
    expect(configOf(parseServeConfig([...model, "--batch-threads", "2"], {})).batchThreads).toBe(2);
    expect(configOf(parseServeConfig([...model, "--threads", "1"], { URIAL_BATCH_THREADS: "auto" }))).toMatchObject({ threads: 1, batchThreads: "auto" });
    expect(messageOf(parseServeConfig([...model, "--batch-threads", "many"], {}))).toBe("--batch-threads (or URIAL_BATCH_THREADS) must be auto or a whole number from 1 to 1024; got 'many'.");
    expect(messageOf(parseServeConfig(model, { URIAL_MAX_QUEUE: "-1" }))).toBe("--max-queue (or URIAL_MAX_QUEUE) must be at least 0; got '-1'.");
  });

  it("rejects an unknown system message mode", () => {
    expect(messageOf(parseServeConfig([...model, "--system-message", "merge"], {}))).toBe("--system-message (or URIAL_SYSTEM_MESSAGE) must be append, replace or ignore; got 'merge'.");
  });

  it("turns --gpu off into false", () => {
    expect(configOf(parseServeConfig([...model, "--gpu", "off"], {})).gpu).toBe(false);
    expect(configOf(parseServeConfig(model, { URIAL_GPU: "off" })).gpu).toBe(false);
  });

  it("keeps a named GPU backend", () => {
    expect(configOf(parseServeConfig([...model, "--gpu", "vulkan"], {})).gpu).toBe("vulkan");
  });

  it("rejects an unknown GPU backend", () => {
    expect(messageOf(parseServeConfig([...model, "--gpu", "nvidia"], {}))).toBe("--gpu (or URIAL_GPU) must be auto, cuda, vulkan, metal or off; got 'nvidia'.");
  });

  it("takes --gpu-layers max, auto or a number", () => {
    expect(configOf(parseServeConfig([...model, "--gpu-layers", "max"], {})).gpuLayers).toBe("max");
    expect(configOf(parseServeConfig([...model, "--gpu-layers", "auto"], {})).gpuLayers).toBe("auto");
    expect(configOf(parseServeConfig([...model, "--gpu-layers", "33"], {})).gpuLayers).toBe(33);
    expect(configOf(parseServeConfig([...model, "--gpu-layers", "0"], {})).gpuLayers).toBe(0);
  });

  it("takes --flash-attention auto, on or off (llama.cpp's -fa), from the flag or URIAL_FLASH_ATTENTION", () => {
    expect(configOf(parseServeConfig([...model, "--flash-attention", "off"], {})).flashAttention).toBe("off");
    expect(configOf(parseServeConfig([...model], { URIAL_FLASH_ATTENTION: "on" })).flashAttention).toBe("on");
    expect(messageOf(parseServeConfig([...model, "--flash-attention", "yes"], {}))).toBe("--flash-attention (or URIAL_FLASH_ATTENTION) must be auto, on or off; got 'yes'.");
  });

  it("rejects other --gpu-layers values", () => {
    expect(messageOf(parseServeConfig([...model, "--gpu-layers", "all"], {}))).toBe("--gpu-layers (or URIAL_GPU_LAYERS) must be a number, max or auto; got 'all'.");
    expect(messageOf(parseServeConfig([...model, "--gpu-layers", "-1"], {}))).toContain("--gpu-layers");
  });

  it("asks for help with --help or -h, even without a model", () => {
    for (const flag of ["--help", "-h"]) {
      const result = parseServeConfig([flag], {});
      expect(result.ok).toBe(true);
      expect(result.ok && result.help).toBe(true);
    }
  });

  it("rejects an unknown flag, pointing at --help", () => {
    const message = messageOf(parseServeConfig([...model, "--modle", "x"], {}));
    expect(message).toContain("--modle");
    expect(message).toContain("urial serve --help");
  });

  it("rejects positional arguments", () => {
    expect(messageOf(parseServeConfig(["model.gguf"], {}))).toContain("urial serve --help");
  });
});

describe("serveHelp", () => {
  it("lists every flag with its environment variable", () => {
    const help = serveHelp();
    expect(help.startsWith("Usage: urial serve [-m MODEL] [--config FILE] [options]")).toBe(true);
    for (const spec of Object.values(serveOptions)) {
      expect(help).toContain(`--${spec.flag} ${spec.value}`);
      expect(help).toContain(spec.env);
    }
    expect(help).toContain("-h, --help");
  });
});

describe("countPhysicalCores", () => {
  const block = (processor: number, core: number) =>
    [`processor\t: ${processor}`, "vendor_id\t: GenuineIntel", "physical id\t: 0", "siblings\t: 4", `core id\t\t: ${core}`, "cpu cores\t: 2"].join("\n");

  it("counts hyper-threads of one core once (4 logical, 2 physical)", () => {
    const cpuinfo = [block(0, 0), block(1, 1), block(2, 0), block(3, 1)].join("\n\n") + "\n\n";
    expect(countPhysicalCores(cpuinfo)).toBe(2);
  });

  it("counts cores of different sockets separately", () => {
    const socket1 = block(2, 0).replace("physical id\t: 0", "physical id\t: 1");
    expect(countPhysicalCores([block(0, 0), block(1, 1), socket1].join("\n\n"))).toBe(3);
  });

  it("is undefined when the text has no core ids", () => {
    const cpuinfo = ["processor\t: 0", "BogoMIPS\t: 50.00", "", "processor\t: 1", "BogoMIPS\t: 50.00", ""].join("\n");
    expect(countPhysicalCores(cpuinfo)).toBeUndefined();
    expect(countPhysicalCores("")).toBeUndefined();
  });
});
