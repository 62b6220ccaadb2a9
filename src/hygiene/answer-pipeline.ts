/**
 * @module hygiene/answer-pipeline
 * What a choice's generated text goes through before a client sees it: one
 * channel (`content`) for plain answers, or two (`reasoning`, then `content`)
 * when the model writes internal thoughts first and closes them with a marker.
 * The marker is found even when it arrives split across tokens, and nothing of
 * the thoughts ever reaches `content`.
 */
import { CompletionText, partialSuffix, type CompletionTextOptions, type CutReason, type Emission } from "./completion-text.js";

export interface PipelineEmission<Entry> {
  content: Emission<Entry>;
  reasoning: Emission<Entry>;
}

export interface AnswerPipeline<Entry> {
  push(text: string, entry?: Entry): PipelineEmission<Entry>;
  finish(): PipelineEmission<Entry>;
  readonly stopped: boolean;
  readonly cutReason: CutReason | undefined;
}

export type PipelineOptions =
  | { kind: "plain"; content: CompletionTextOptions }
  | {
      kind: "thoughts";
      /** Options for the thoughts channel (block stops, repetition…). */
      reasoning: CompletionTextOptions;
      content: CompletionTextOptions;
      /** The text that ends the thoughts. */
      closeMarker: string;
    };

const none = <Entry>(): Emission<Entry> => ({ text: "", entries: [] });

export function createAnswerPipeline<Entry>(options: PipelineOptions): AnswerPipeline<Entry> {
  if (options.kind === "plain") {
    const content = new CompletionText<Entry>(options.content);
    return {
      push: (text, entry) => ({ content: content.push(text, entry), reasoning: none() }),
      finish: () => ({ content: content.finish(), reasoning: none() }),
      get stopped() {
        return content.stopped;
      },
      get cutReason() {
        return content.cutReason;
      },
    };
  }
  return new ThoughtSplitter<Entry>(new CompletionText<Entry>(options.reasoning), new CompletionText<Entry>(options.content), options.closeMarker);
}

class ThoughtSplitter<Entry> implements AnswerPipeline<Entry> {
  readonly #reasoning: CompletionText<Entry>;
  readonly #content: CompletionText<Entry>;
  readonly #marker: string;
  #inContent = false;
  #held = "";

  constructor(reasoning: CompletionText<Entry>, content: CompletionText<Entry>, marker: string) {
    this.#reasoning = reasoning;
    this.#content = content;
    this.#marker = marker;
  }

  get stopped(): boolean {
    return this.#reasoning.stopped || this.#content.stopped;
  }

  get cutReason(): CutReason | undefined {
    return this.#reasoning.cutReason ?? this.#content.cutReason;
  }

  push(text: string, entry?: Entry): PipelineEmission<Entry> {
    if (this.#inContent) return { content: this.#content.push(text, entry), reasoning: none() };
    const combined = this.#held + text;
    const index = combined.indexOf(this.#marker);
    if (index < 0) {
      const keep = partialSuffix(combined, this.#marker);
      this.#held = combined.slice(combined.length - keep);
      return { reasoning: this.#reasoning.push(combined.slice(0, combined.length - keep), entry), content: none() };
    }
    this.#held = "";
    const before = this.#reasoning.push(combined.slice(0, index), entry);
    if (this.#reasoning.stopped) return { reasoning: before, content: none() };
    const rest = this.#reasoning.finish();
    this.#inContent = true;
    return {
      reasoning: { text: before.text + rest.text, entries: [...before.entries, ...rest.entries] },
      content: this.#content.push(combined.slice(index + this.#marker.length)),
    };
  }

  finish(): PipelineEmission<Entry> {
    if (this.#inContent) return { reasoning: none(), content: this.#content.finish() };
    const held = this.#reasoning.push(this.#held);
    this.#held = "";
    const rest = this.#reasoning.finish();
    return { reasoning: { text: held.text + rest.text, entries: [...held.entries, ...rest.entries] }, content: this.#content.finish() };
  }
}
