/**
 * @module cli/measure-exemplar-sets
 * Measures every exemplar set against a loaded engine's context and decides
 * which one model `urial` answers with (`chooseServedSet`): what `serve` and
 * `chat` do once the model is loaded, before the first request.
 */
import type { Catalog } from "../catalog/catalog.js";
import { chooseServedSet, type ServedSetChoice } from "../catalog/choose-served-set.js";
import { lintExemplarSet } from "../catalog/lint-exemplar-set.js";
import type { Engine } from "../engine/engine.js";

export interface MeasureOptions {
  /** The user named the current default set (it is then never swapped). */
  explicit: boolean;
  /** The server's max_tokens ceiling: the answer room is the smaller of it and 256. */
  maxTokens: number;
}

export function measureExemplarSets(catalog: Catalog, engine: Engine, options: MeasureOptions): ServedSetChoice {
  const answerTokens = Math.min(256, options.maxTokens);
  const sets = [...catalog.sets.values()].flatMap((set) => {
    const report = lintExemplarSet(set, { tokenize: (text) => engine.tokenize(text), contextSize: engine.info.contextSize, answerTokens });
    return report.promptTokens === undefined ? [] : [{ name: set.name, promptTokens: report.promptTokens }];
  });
  return chooseServedSet({ sets, current: catalog.defaultSet.name, explicit: options.explicit, contextSize: engine.info.contextSize, answerTokens });
}
