/**
 * @module engine/remote/probe-upstream
 * What a remote engine learns from its upstream at start-up: the model to
 * name in requests and, when the server tells, its context size (vLLM lists
 * `max_model_len` with its models, llama-server has `/props`, urial has
 * `/health`).
 */
import { z } from "zod";
import { UpstreamError } from "../engine.js";
import type { UpstreamClient } from "./upstream-client.js";

export interface UpstreamFacts {
  model: string;
  contextSize?: number;
}

const modelList = z.looseObject({ data: z.array(z.looseObject({ id: z.string(), max_model_len: z.number().int().positive().nullish() })) });
const llamaServerProps = z.looseObject({ default_generation_settings: z.looseObject({ n_ctx: z.number().int().positive() }) });
const urialHealth = z.looseObject({ context_size: z.number().int().positive() });

/** The model id a urial upstream serves its raw base model under. */
const urialBaseModel = "base";

/** The model to use (`wanted`, else `base` when listed, else the first) and the context size, when told. */
export async function probeUpstream(client: UpstreamClient, wanted: string | undefined): Promise<UpstreamFacts> {
  const listed = modelList.safeParse(await client.getJson("/v1/models"));
  if (!listed.success || listed.data.data.length === 0) {
    if (wanted === undefined) throw new UpstreamError("protocol", `${client.url.v1}/models lists no models; name one with --upstream-model`);
    return { model: wanted, contextSize: await probeContextSize(client) };
  }
  const models = listed.data.data;
  const chosen = wanted === undefined ? (models.find((model) => model.id === urialBaseModel) ?? models[0]!) : models.find((model) => model.id === wanted);
  if (chosen === undefined) {
    throw new UpstreamError("protocol", `the upstream has no model '${wanted}' (it lists ${models.map((model) => model.id).join(", ")})`);
  }
  return { model: chosen.id, contextSize: chosen.max_model_len ?? (await probeContextSize(client)) };
}

async function probeContextSize(client: UpstreamClient): Promise<number | undefined> {
  const props = llamaServerProps.safeParse(await client.getJson("/props").catch(() => undefined));
  if (props.success) return props.data.default_generation_settings.n_ctx;
  const health = urialHealth.safeParse(await client.getJson("/health").catch(() => undefined));
  if (health.success) return health.data.context_size;
  return undefined;
}
