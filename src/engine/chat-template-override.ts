/**
 * @module engine/chat-template-override
 * The `--chat-template` value for a chat model whose GGUF carries no
 * `tokenizer.chat_template`. Pure: no model, no I/O. Two forms:
 *
 * - a **Jinja chat template**, in the language of GGUF/Hugging Face
 *   templates (anything containing `{{` or `{%`), e.g. the `chat_template`
 *   field of the model's `tokenizer_config.json`;
 * - a **plain layout** with exactly one `{query}` placeholder, e.g.
 *   `User: {query}\nAssistant:`. `\n`, `\t` and `\\` are unescaped, so the
 *   layout can be typed on a command line. The rendered text is tokenized as
 *   one string with special tokens recognised (`<|im_start|>` stays one
 *   token), except that special-token text inside the query stays plain
 *   text. BOS is prepended when the model wants it. Generation then stops at
 *   an end-of-generation token only.
 */
import { ChatTemplateError } from "./scoring-model.js";

export type ChatTemplateOverride = { kind: "jinja"; template: string } | { kind: "layout"; before: string; after: string };

const placeholder = "{query}";

/** Classifies and validates an override; throws `ChatTemplateError` naming the rule. */
export function parseChatTemplateOverride(value: string): ChatTemplateOverride {
  if (value.trim().length === 0) throw new ChatTemplateError("the chat template override is empty");
  if (value.includes("{{") || value.includes("{%")) return { kind: "jinja", template: value };
  const layout = unescapeLayout(value);
  const first = layout.indexOf(placeholder);
  if (first < 0 || layout.indexOf(placeholder, first + 1) >= 0) {
    throw new ChatTemplateError(
      `the chat template override must be a Jinja chat template (with {{ … }} or {% … %}) or a layout with exactly one ${placeholder}, such as 'User: ${placeholder}\\nAssistant:'`,
    );
  }
  return { kind: "layout", before: layout.slice(0, first), after: layout.slice(first + placeholder.length) };
}

/** `\n`, `\t`, `\\` → newline, tab, backslash; any other backslash stays. */
function unescapeLayout(value: string): string {
  return value.replace(/\\([nt\\])/g, (_, escaped: string) => (escaped === "n" ? "\n" : escaped === "t" ? "\t" : "\\"));
}
