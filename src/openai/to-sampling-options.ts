/**
 * @module openai/to-sampling-options
 * The one place that maps OpenAI (and llama.cpp-style) sampling fields to the
 * engine's options, filling in this server's defaults.
 */
import type { SamplingOptions } from "../engine/engine.js";

/** The sampling fields of a request (all optional, `null` meaning absent). */
export interface SamplingFields {
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
  min_p?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  repetition_penalty?: number | null;
  seed?: number | null;
}

/**
 * Defaults for fields a request leaves out. llama.cpp-like sampling, and the
 * repetition penalty of 1.1 that URIAL used for base models.
 */
export const defaultSampling: Readonly<Omit<SamplingOptions, "seed">> = {
  temperature: 0.8,
  topK: 40,
  topP: 0.95,
  minP: 0.05,
  repeatPenalty: 1.1,
  frequencyPenalty: 0,
  presencePenalty: 0,
  penaltyLastTokens: 64,
};

/**
 * Resolves the sampling options for choice `choiceIndex` of a request. With a
 * seed, choice i uses seed + i so `n` > 1 gives different but reproducible answers.
 */
export function toSamplingOptions(fields: SamplingFields, choiceIndex = 0, defaults: Readonly<Omit<SamplingOptions, "seed">> = defaultSampling): SamplingOptions {
  const options: SamplingOptions = {
    temperature: fields.temperature ?? defaults.temperature,
    topK: fields.top_k ?? defaults.topK,
    topP: fields.top_p ?? defaults.topP,
    minP: fields.min_p ?? defaults.minP,
    repeatPenalty: fields.repetition_penalty ?? defaults.repeatPenalty,
    frequencyPenalty: fields.frequency_penalty ?? defaults.frequencyPenalty,
    presencePenalty: fields.presence_penalty ?? defaults.presencePenalty,
    penaltyLastTokens: defaults.penaltyLastTokens,
  };
  // Wrap into [0, 2^32) (not Math.abs, which folds -1 and 1 together and gave
  // a negative seed's choices duplicate seeds).
  if (fields.seed !== null && fields.seed !== undefined) options.seed = (((fields.seed + choiceIndex) % 2 ** 32) + 2 ** 32) % 2 ** 32;
  return options;
}
