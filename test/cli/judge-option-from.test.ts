import { describe, expect, it } from "vitest";
import { judgeOptionFrom } from "../../src/cli/start-judge.js";

const models = { modelsDir: "/models", env: {}, output: { write: () => true } };

describe("judgeOptionFrom", () => {
  it("carries every judge setting of an ab command over to openJudge", () => {
    const settings = { judgeApiKey: "sk-judge", judgeTimeout: 30, judgeContextSize: 2048, threads: 2, batchThreads: 1, gpu: false as const };
    expect(judgeOptionFrom(settings, "local", "judge.gguf", models)).toEqual({
      judge: "local",
      model: "judge.gguf",
      apiKey: "sk-judge",
      timeoutSeconds: 30,
      contextSize: 2048,
      threads: 2,
      batchThreads: 1,
      gpu: false,
      models,
    });
  });

  it("leaves out what was not given, rather than passing undefined", () => {
    const option = judgeOptionFrom({ judgeTimeout: 120, threads: "auto", batchThreads: "auto", gpu: "auto" }, "http://127.0.0.1:9/v1", undefined, models);
    expect(option).toEqual({ judge: "http://127.0.0.1:9/v1", timeoutSeconds: 120, threads: "auto", batchThreads: "auto", gpu: "auto", models });
    expect(Object.keys(option)).not.toContain("model");
    expect(Object.keys(option)).not.toContain("apiKey");
    expect(Object.keys(option)).not.toContain("contextSize");
  });
});
