/**
 * @module answer/plan-text-completion
 * The first half of the answer pipeline for a raw completion (`model: base`
 * or any listed id, no URIAL prompt): check the input, the model id and the
 * fields, tokenize each prompt and plan its budget, and lay out one job per
 * prompt × `n`, with what `echo` puts before each choice.
 */
import type { Engine } from "../engine/engine.js";
import { invalidInput } from "../errors/domain-error.js";
import type { CompletionRequest } from "../openai/completion-request-schema.js";
import { rejectUnsupported } from "../openai/parse-request.js";
import { stopList } from "../openai/request-fields.js";
import { toSamplingOptions } from "../openai/to-sampling-options.js";
import type { AnswerDeps } from "./answer-deps.js";
import { checkPromptInput } from "./check-input-size.js";
import { checkCompletionModel } from "./model-ids.js";
import { resolveRequestLimits } from "./request-limits.js";
import { requireEngine, resolveMaxTokens } from "./require-engine.js";
import type { ChoiceJob } from "./run-choices.js";

export interface TextCompletionPlan {
  engine: Engine;
  /** One job per prompt × n, in index order. */
  jobs: ChoiceJob[];
  /** Per choice index: the prompt text when `echo` is on, else "". */
  echoes: string[];
  topLogprobs: number | undefined;
}

/** Plans a parsed completions request; throws domain errors for what it refuses. `onChecked` runs once the model id is accepted. */
export function planTextCompletion(deps: AnswerDeps, request: CompletionRequest, onChecked?: () => void): TextCompletionPlan {
  const limits = resolveRequestLimits(deps.limits);
  const prompts = typeof request.prompt === "string" ? [request.prompt] : request.prompt;
  checkPromptInput(prompts, limits);
  rejectUnsupported(request, ["suffix", "best_of", "logit_bias"]);
  if (request.echo === true && request.logprobs !== null && request.logprobs !== undefined) {
    throw invalidInput("'echo' together with 'logprobs' is not supported (prompt tokens are not scored).", "echo", "unsupported_parameter");
  }
  checkCompletionModel(deps.catalog, request.model);
  onChecked?.();
  const engine = requireEngine(deps.engine());
  const n = request.n ?? 1;
  const topLogprobs = request.logprobs ?? undefined;
  const jobs: ChoiceJob[] = [];
  const echoes: string[] = [];
  prompts.forEach((text, promptIndex) => {
    const prompt = engine.tokenize(text);
    if (prompt.length === 0) throw invalidInput("The prompt is empty and this model has no BOS token to start from.", "prompt", "invalid_value");
    const maxTokens = resolveMaxTokens(prompt.length, request.max_tokens, engine.info.contextSize, "prompt", limits.maxTokens);
    for (let copy = 0; copy < n; copy += 1) {
      jobs.push({
        index: promptIndex * n + copy,
        prompt,
        countPrompt: copy === 0,
        options: { maxTokens, sampling: toSamplingOptions(request, copy), topLogprobs, promptText: text },
        pipeline: { kind: "plain", content: { stops: stopList(request.stop) } },
      });
      echoes.push(request.echo === true ? text : "");
    }
  });
  return { engine, jobs, echoes, topLogprobs };
}
