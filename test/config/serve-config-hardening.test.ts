/**
 * `urial serve` flags of production hardening: API keys, CORS, limits,
 * timeouts, the request log, and the remote engine; each with its URIAL_*
 * variable, and secrets never echoed in messages.
 */
import { describe, expect, it } from "vitest";
import { parseServeConfig, serveHelp, serveOptions, type ParseResult, type ServeConfig } from "../../src/config/serve-config.js";

const model = ["--model", "/models/base.gguf"];

function configOf(result: ParseResult): ServeConfig {
  if (!result.ok) throw new Error(`expected a config, got: ${result.message}`);
  return result.config;
}

function messageOf(result: ParseResult): string {
  if (result.ok) throw new Error("expected an error");
  return result.message;
}

describe("API keys", () => {
  it("takes --api-key several times, or a comma-separated URIAL_API_KEY; none by default", () => {
    expect(configOf(parseServeConfig(model, {})).apiKey).toBeUndefined();
    expect(configOf(parseServeConfig([...model, "--api-key", "sk-a", "--api-key", "sk-b"], {})).apiKey).toEqual(["sk-a", "sk-b"]);
    expect(configOf(parseServeConfig(model, { URIAL_API_KEY: "sk-a, sk-b,," })).apiKey).toEqual(["sk-a", "sk-b"]);
    expect(configOf(parseServeConfig([...model, "--api-key", "sk-flag"], { URIAL_API_KEY: "sk-env" })).apiKey).toEqual(["sk-flag"]);
    expect(configOf(parseServeConfig([...model, "--api-keys-file", "/etc/urial/keys"], {})).apiKeysFile).toBe("/etc/urial/keys");
    expect(configOf(parseServeConfig(model, { URIAL_API_KEYS_FILE: "/k" })).apiKeysFile).toBe("/k");
  });

  it("refuses an unusable key without showing it", () => {
    const message = messageOf(parseServeConfig([...model, "--api-key", "sk secret with spaces"], {}));
    expect(message).toContain("--api-key (or URIAL_API_KEY) must be printable ASCII");
    expect(message).not.toContain("secret");
    const upstream = messageOf(parseServeConfig(["--upstream", "http://127.0.0.1:8000", "--upstream-api-key", "two words"], {}));
    expect(upstream).toContain("--upstream-api-key (or URIAL_UPSTREAM_API_KEY)");
    expect(upstream).not.toContain("two words");
  });
});

describe("CORS", () => {
  it("is off by default and takes origins (or *) from repeated flags or a list", () => {
    expect(configOf(parseServeConfig(model, {})).corsOrigin).toBeUndefined();
    expect(configOf(parseServeConfig([...model, "--cors-origin", "https://a.example", "--cors-origin", "http://localhost:3000"], {})).corsOrigin).toEqual([
      "https://a.example",
      "http://localhost:3000",
    ]);
    expect(configOf(parseServeConfig(model, { URIAL_CORS_ORIGIN: "*" })).corsOrigin).toEqual(["*"]);
    expect(messageOf(parseServeConfig([...model, "--cors-origin", "https://a.example/path"], {}))).toContain("--cors-origin (or URIAL_CORS_ORIGIN) must be * or origins");
  });
});

describe("limits and timeouts", () => {
  it("reads every limit from its flag or variable", () => {
    const config = configOf(
      parseServeConfig([...model, "--max-messages", "10", "--request-timeout", "2.5"], {
        URIAL_MAX_INPUT_CHARS: "5000",
        URIAL_MAX_TOKENS: "128",
        URIAL_SHUTDOWN_TIMEOUT: "0",
        URIAL_MAX_MESSAGES: "99",
      }),
    );
    expect(config).toMatchObject({ maxMessages: 10, maxInputChars: 5000, maxTokens: 128, requestTimeout: 2.5, shutdownTimeout: 0 });
    expect(configOf(parseServeConfig([...model, "--request-timeout", "0"], {})).requestTimeout).toBe(0);
  });

  it("names the flag, the variable and the rule for a bad limit", () => {
    expect(messageOf(parseServeConfig([...model, "--max-messages", "0"], {}))).toBe("--max-messages (or URIAL_MAX_MESSAGES) must be at least 1; got '0'.");
    expect(messageOf(parseServeConfig(model, { URIAL_MAX_TOKENS: "lots" }))).toBe("--max-tokens (or URIAL_MAX_TOKENS) must be a whole number; got 'lots'.");
    expect(messageOf(parseServeConfig(model, { URIAL_REQUEST_TIMEOUT: "-1" }))).toContain("--request-timeout (or URIAL_REQUEST_TIMEOUT) must be at least 0");
    expect(messageOf(parseServeConfig([...model, "--upstream-timeout", "0"], {}))).toContain("must be more than 0");
  });
});

describe("the request log", () => {
  it("defaults to auto format without prompts, and reads on/off", () => {
    expect(configOf(parseServeConfig(model, {}))).toMatchObject({ logFormat: "auto", logPrompts: false });
    expect(configOf(parseServeConfig([...model, "--log-format", "json", "--log-prompts", "on"], {}))).toMatchObject({ logFormat: "json", logPrompts: true });
    expect(configOf(parseServeConfig(model, { URIAL_LOG_PROMPTS: "false", URIAL_LOG_FORMAT: "pretty" }))).toMatchObject({ logFormat: "pretty", logPrompts: false });
    expect(messageOf(parseServeConfig([...model, "--log-prompts", "maybe"], {}))).toContain("must be on or off");
    expect(messageOf(parseServeConfig([...model, "--log-format", "xml"], {}))).toContain("must be auto, json or pretty");
  });
});

describe("the remote engine", () => {
  it("takes --upstream with its model, key, timeout and tokenizer mode instead of a model", () => {
    const config = configOf(
      parseServeConfig(["--upstream", "http://10.1.2.3:8000/v1", "--upstream-model", "meta-llama/Llama-3.1-8B", "--upstream-tokenizer", "estimate"], {
        URIAL_UPSTREAM_API_KEY: "sk-upstream",
        URIAL_UPSTREAM_TIMEOUT: "5",
      }),
    );
    expect(config).toMatchObject({ upstream: ["http://10.1.2.3:8000/v1"], upstreamModel: "meta-llama/Llama-3.1-8B", upstreamApiKey: "sk-upstream", upstreamTimeout: 5, upstreamTokenizer: "estimate" });
    expect(configOf(parseServeConfig(model, {}))).toMatchObject({ upstreamTimeout: 60, upstreamTokenizer: "auto" });
  });

  it("takes several upstream replicas (repeated flag or a comma list), refuses one listed twice, and reads the health interval", () => {
    expect(configOf(parseServeConfig(["--upstream", "http://a:1/v1", "--upstream", "http://b:1/v1"], {})).upstream).toEqual(["http://a:1/v1", "http://b:1/v1"]);
    expect(configOf(parseServeConfig([], { URIAL_UPSTREAM: "http://a:1/v1, http://b:1/v1,http://c:1/v1" })).upstream).toEqual(["http://a:1/v1", "http://b:1/v1", "http://c:1/v1"]);
    expect(messageOf(parseServeConfig(["--upstream", "http://a:1/v1,http://a:1/v1"], {}))).toContain("lists the same URL twice");
    expect(configOf(parseServeConfig(["--upstream", "http://a:1", "--upstream-health-interval", "0.5"], {})).upstreamHealthInterval).toBe(0.5);
    expect(configOf(parseServeConfig(["--upstream", "http://a:1"], {})).upstreamHealthInterval).toBe(5);
  });

  it("refuses --upstream together with --model or --chat-model", () => {
    expect(messageOf(parseServeConfig(["--upstream", "http://h:1", ...model], {}))).toContain("--model and --chat-model (or URIAL_MODEL, URIAL_CHAT_MODEL) cannot be given with it");
    expect(messageOf(parseServeConfig(["--upstream", "http://h:1"], { URIAL_CHAT_MODEL: "/c.gguf" }))).toContain("--chat-model '/c.gguf'");
  });
});

describe("help", () => {
  it("lists every new flag with its variable", () => {
    const help = serveHelp();
    for (const name of [
      "apiKey",
      "apiKeysFile",
      "corsOrigin",
      "maxMessages",
      "maxInputChars",
      "maxTokens",
      "requestTimeout",
      "shutdownTimeout",
      "logFormat",
      "logPrompts",
      "upstream",
      "upstreamModel",
      "upstreamApiKey",
      "upstreamTimeout",
      "upstreamTokenizer",
    ] as const) {
      const spec = serveOptions[name];
      expect(help).toContain(`--${spec.flag} `);
      expect(help).toContain(spec.env);
    }
  });
});
