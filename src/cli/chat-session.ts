/**
 * @module cli/chat-session
 * The conversation loop of `urial chat`, over any line source: each line is a
 * user turn whose answer streams to `output`; lines starting with `/` are
 * commands (`/set`, `/prompt`, `/reset`, `/help`, `/bye`). `interrupt()` stops
 * the answer being written and keeps the program (the part of the answer
 * already shown stays in the conversation). Knows nothing about terminals:
 * `chat-command` wires readline and signals to it.
 */
import { ChatServerError, type ChatClient, type ChatMessage, type ChatSettings } from "./chat-client.js";

export interface ChatSessionOptions {
  client: ChatClient;
  /** The model id to start with (`urial`, `urial/<set>`). */
  model: string;
  /** A system message sent first in every request. */
  system?: string;
  settings: ChatSettings;
  /** Where answers and command output go (stdout). */
  output: { write(text: string): unknown };
  /** Where problems go (stderr). */
  errors: { write(text: string): unknown };
}

export const chatHelp = `Commands:
  /set NAME              switch the exemplar set (model urial/NAME); /set alone lists them
  /set temperature N     sampling temperature (0 = greedy)
  /set max-tokens N      longest answer in tokens
  /set system TEXT       a system message for the next turns (/set system with no text removes it)
  /prompt [TEXT]         show the URIAL prompt the last turn was sent as (or the one TEXT would be)
  /reset                 forget the conversation
  /help                  this list
  /bye                   quit (also /exit, Ctrl-D)
Ctrl-C stops an answer; at an empty prompt it says how to quit.`;

export class ChatSession {
  readonly #options: ChatSessionOptions;
  #model: string;
  #system: string | undefined;
  #settings: ChatSettings;
  #history: ChatMessage[] = [];
  #answering: AbortController | undefined;
  /** Set by `/bye`: the caller stops reading. */
  done = false;

  constructor(options: ChatSessionOptions) {
    this.#options = options;
    this.#model = options.model;
    this.#system = options.system;
    this.#settings = { ...options.settings };
  }

  get model(): string {
    return this.#model;
  }

  /** True while an answer is being written. */
  get answering(): boolean {
    return this.#answering !== undefined;
  }

  /** Stops the answer being written, if any; returns whether there was one. */
  interrupt(): boolean {
    if (this.#answering === undefined) return false;
    this.#answering.abort();
    return true;
  }

  /** Handles one input line; resolves when its answer (or command) is done. Returns false on a failure. */
  async handle(line: string): Promise<boolean> {
    const text = line.trim();
    if (text.length === 0) return true;
    if (text.startsWith("/")) return this.#command(text);
    return this.#ask(line);
  }

  #messages(): ChatMessage[] {
    return [...(this.#system !== undefined ? [{ role: "system" as const, content: this.#system }] : []), ...this.#history];
  }

  async #ask(content: string): Promise<boolean> {
    const { output, client } = this.#options;
    this.#history.push({ role: "user", content });
    const controller = new AbortController();
    this.#answering = controller;
    let answer = "";
    try {
      const finish = await client.streamAnswer(
        this.#model,
        this.#messages(),
        this.#settings,
        (piece) => {
          // A leading space or newline from the model is noise at the start of a reply.
          const shown = answer.length === 0 ? piece.replace(/^\s+/, "") : piece;
          answer += piece;
          if (shown.length > 0) output.write(shown);
        },
        controller.signal,
      );
      output.write("\n");
      if (controller.signal.aborted) this.#options.errors.write("[stopped]\n");
      else if (finish === "length") this.#options.errors.write(`[cut at the token limit; /set max-tokens N for longer answers]\n`);
      this.#history.push({ role: "assistant", content: answer.trim() });
      return true;
    } catch (error) {
      // The turn failed: take the question back so the conversation stays as the server saw it.
      this.#history.pop();
      if (answer.length > 0) output.write("\n");
      this.#report(error);
      return false;
    } finally {
      this.#answering = undefined;
    }
  }

  async #command(text: string): Promise<boolean> {
    const [name = "", ...rest] = text.slice(1).split(/\s+/);
    const argument = text.slice(1 + name.length).trim();
    const { output, errors, client } = this.#options;
    try {
      switch (name) {
        case "bye":
        case "exit":
        case "quit":
          this.done = true;
          return true;
        case "help":
        case "?":
          output.write(`${chatHelp}\n`);
          return true;
        case "reset":
        case "clear":
          this.#history = [];
          errors.write("[conversation cleared]\n");
          return true;
        case "prompt": {
          const messages = argument.length > 0 ? [...this.#messages(), { role: "user" as const, content: argument }] : this.#lastSent();
          if (messages === undefined) {
            errors.write("nothing sent yet: /prompt TEXT shows the prompt TEXT would be sent as\n");
            return false;
          }
          const rendered = await client.renderPrompt(this.#model, messages);
          if (rendered === null) {
            errors.write("this server cannot show its prompt (it has no POST /apply-template)\n");
            return false;
          }
          output.write(`${rendered.prompt}\n`);
          errors.write(`[${this.#model}: ${rendered.tokens === null ? `${rendered.prompt.length} characters` : `${rendered.tokens} tokens`}]\n`);
          return true;
        }
        case "set":
          return await this.#set(rest[0], argument.slice((rest[0] ?? "").length).trim());
        default:
          errors.write(`unknown command /${name}; /help lists the commands\n`);
          return false;
      }
    } catch (error) {
      this.#report(error);
      return false;
    }
  }

  /** The messages of the last turn as sent (everything before its answer). */
  #lastSent(): ChatMessage[] | undefined {
    const lastUser = this.#history.map((message) => message.role).lastIndexOf("user");
    if (lastUser < 0) return undefined;
    return [...(this.#system !== undefined ? [{ role: "system" as const, content: this.#system }] : []), ...this.#history.slice(0, lastUser + 1)];
  }

  async #set(what: string | undefined, value: string): Promise<boolean> {
    const { output, errors, client } = this.#options;
    const number = (label: string, parse: (raw: string) => number | undefined): number | undefined => {
      const parsed = parse(value);
      if (parsed === undefined) errors.write(`/set ${label} needs ${label === "temperature" ? "a number from 0 to 2" : "a whole number of 1 or more"}; got '${value}'\n`);
      return parsed;
    };
    switch (what) {
      case "temperature": {
        const temperature = number("temperature", (raw) => (/^\d+(\.\d+)?$/.test(raw) && Number(raw) <= 2 ? Number(raw) : undefined));
        if (temperature === undefined) return false;
        this.#settings.temperature = temperature;
        errors.write(`[temperature ${temperature}]\n`);
        return true;
      }
      case "max-tokens":
      case "max_tokens": {
        const maxTokens = number("max-tokens", (raw) => (/^[1-9]\d*$/.test(raw) ? Number(raw) : undefined));
        if (maxTokens === undefined) return false;
        this.#settings.maxTokens = maxTokens;
        errors.write(`[max-tokens ${maxTokens}]\n`);
        return true;
      }
      case "system":
        this.#system = value.length > 0 ? value : undefined;
        errors.write(value.length > 0 ? "[system message set]\n" : "[system message removed]\n");
        return true;
    }
    const models = (await client.listModels()).filter((id) => id !== "base");
    if (what === undefined) {
      output.write(`${models.map((id) => `${id === this.#model ? "*" : " "} ${id}`).join("\n")}\n`);
      return true;
    }
    const wanted = what === "urial" || what.startsWith("urial/") ? what : `urial/${what}`;
    if (!models.includes(wanted)) {
      errors.write(`no exemplar set '${what}' on this server; /set lists them (${models.map((id) => id.replace(/^urial\//, "")).join(", ")})\n`);
      return false;
    }
    this.#model = wanted;
    errors.write(`[now answering with ${wanted}]\n`);
    return true;
  }

  #report(error: unknown): void {
    const message = error instanceof ChatServerError ? error.message : error instanceof Error ? error.message : String(error);
    // The server names a model id; in this chat, switching to it is a /set.
    const smaller = /use model 'urial\/([^']+)'/.exec(message)?.[1];
    this.#options.errors.write(`error: ${message}${smaller !== undefined ? ` In this chat: /set ${smaller}` : ""}\n`);
  }
}
