/**
 * The folder boundaries of eslint.config.js fire: each case lints a one-line
 * source as if it sat at the given path (ESLint's Node API, the project's own
 * config) and expects the rule to report it, or not.
 */
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const used = 1;\n`, { filePath: path });
  return result!.messages.filter((message) => message.ruleId === "no-restricted-imports").map((message) => message.message);
}

describe("import boundaries (eslint no-restricted-imports)", () => {
  it("refuses hono outside src/server/ and allows it inside", async () => {
    for (const path of ["src/answer/plan-chat-answer.ts", "src/cli/some-command.ts", "src/engine/llama-engine.ts", "src/ab/online/x.ts"]) {
      const messages = await restrictedImports(path, 'import { Hono } from "hono";\nvoid Hono;');
      expect(messages, path).toHaveLength(1);
      expect(messages[0]).toContain("hono belongs in src/server/ only");
    }
    expect(await restrictedImports("src/cli/serve-command.ts", 'import { serve } from "@hono/node-server";\nvoid serve;')).toHaveLength(1);
    expect(await restrictedImports("src/server/routes/x.ts", 'import { Hono } from "hono";\nimport { stream } from "hono/streaming";\nvoid Hono; void stream;')).toEqual([]);
  });

  it("refuses node-llama-cpp outside src/engine/", async () => {
    expect(await restrictedImports("src/models/fetch-model.ts", 'import { getLlama } from "node-llama-cpp";\nvoid getLlama;')).toEqual([
      expect.stringContaining("node-llama-cpp belongs in src/engine/ only"),
    ]);
    expect(await restrictedImports("src/engine/x.ts", 'import { getLlama } from "node-llama-cpp";\nvoid getLlama;')).toEqual([]);
  });

  it("keeps file and network I/O out of the pure cores", async () => {
    for (const path of ["src/prompt/x.ts", "src/hygiene/x.ts", "src/answer/x.ts", "src/openai/x.ts", "src/ab/statistics/x.ts"]) {
      expect(await restrictedImports(path, 'import { readFileSync } from "node:fs";\nvoid readFileSync;'), path).toEqual([expect.stringContaining("is a pure core")]);
    }
    expect(await restrictedImports("src/answer/x.ts", 'import { connect } from "node:net";\nvoid connect;')).toHaveLength(1);
    expect(await restrictedImports("src/catalog/x.ts", 'import { readFileSync } from "node:fs";\nvoid readFileSync;')).toEqual([]);
  });

  it("keeps a lower layer from importing a higher one", async () => {
    expect(await restrictedImports("src/answer/x.ts", 'import type { AppDeps } from "../server/app-deps.js";\nexport type T = AppDeps;')).toEqual([
      expect.stringContaining("src/answer/ sits below server/"),
    ]);
    expect(await restrictedImports("src/engine/x.ts", 'import { planChatAnswer } from "../answer/plan-chat-answer.js";\nvoid planChatAnswer;')).toHaveLength(1);
    expect(await restrictedImports("src/server/x.ts", 'import { planChatAnswer } from "../answer/plan-chat-answer.js";\nvoid planChatAnswer;')).toEqual([]);
  });
});
