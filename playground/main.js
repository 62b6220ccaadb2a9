// @ts-check
/* global DOMException, sessionStorage -- browser globals (this file runs in the page) */
/**
 * @module playground/main
 * Wires the page: the three views (chat, compare, token shift), the API key
 * and the server status. All logic worth testing lives in the pure modules it
 * imports; this file moves data between them, the API and the DOM. Model text
 * only ever enters the page as text nodes.
 */
import { createApi } from "./api.js";
import { describeError } from "./api-error.js";
import { applyChunk, describeAnswer, emptyAnswer } from "./chat-answer.js";
import { chatMessages, previewMessages, promptPieces, promptSummary } from "./prompt-view.js";
import { splitLine, tokenCategory, tokenTitle, topTables, visibleTokenText } from "./shift-view.js";
import { columnPairs, describeRow, tallyVotes } from "./tally.js";

const keyStorage = "urial-playground-api-key";

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @returns {T}
 */
function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return /** @type {T} */ (element);
}

/**
 * A new element with text (never HTML) and attributes.
 * @param {string} tag
 * @param {{ className?: string, text?: string, attrs?: Record<string, string> }} [options]
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElement}
 */
function el(tag, options = {}, children = []) {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) element.setAttribute(name, value);
  for (const child of children) element.append(child);
  return element;
}

/**
 * Shows `error` (the API's message) in `target`, or hides it when there is none.
 * @param {HTMLElement} target
 * @param {unknown} error
 */
function showError(target, error) {
  if (error === null || error === undefined) {
    target.hidden = true;
    target.textContent = "";
    return;
  }
  target.hidden = false;
  target.textContent = describeError(error);
}

/** @param {unknown} error */
function isAbort(error) {
  return error instanceof DOMException && error.name === "AbortError";
}

/** @param {HTMLInputElement} input @param {number} fallback */
function numberFrom(input, fallback) {
  const value = Number(input.value);
  return input.value.trim() === "" || !Number.isFinite(value) ? fallback : value;
}

// ---------------------------------------------------------------- key and API

const keyInput = /** @type {HTMLInputElement} */ (byId("api-key"));
const keyState = byId("key-state");
const globalError = byId("global-error");
let apiKey = sessionStorage.getItem(keyStorage) ?? "";

function showKeyState() {
  keyState.textContent = apiKey.length > 0 ? "key set for this tab" : "";
}

const api = createApi({
  key: () => apiKey,
  onUnauthorized: (error) => {
    showError(globalError, error);
    globalError.append(" — enter the server's API key above.");
    keyInput.focus();
  },
});

byId("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  apiKey = keyInput.value.trim();
  keyInput.value = "";
  if (apiKey.length > 0) sessionStorage.setItem(keyStorage, apiKey);
  else sessionStorage.removeItem(keyStorage);
  showKeyState();
  showError(globalError, null);
  void loadServer();
});

// ---------------------------------------------------------------- tabs

const tabs = /** @type {HTMLButtonElement[]} */ ([...document.querySelectorAll('[role="tab"]')]);

/** @param {string} id */
function selectTab(id) {
  for (const tab of tabs) {
    const selected = tab.id === id;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    byId(/** @type {string} */ (tab.getAttribute("aria-controls"))).hidden = !selected;
  }
}

for (const tab of tabs) {
  tab.addEventListener("click", () => selectTab(tab.id));
  tab.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const index = tabs.indexOf(tab);
    const next = tabs[(index + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    if (next) {
      selectTab(next.id);
      next.focus();
    }
  });
}
// The side-by-side view is what the page is for: it opens there.
selectTab("tab-compare");

// ---------------------------------------------------------------- server: models and sets

/** @type {{ models: string[], sets: Map<string, { name: string, version: string, hash: string, model: string, default: boolean, description: string }>, hasChatModel: boolean }} */
const server = { models: [], sets: new Map(), hasChatModel: false };

/**
 * The label of a model id in pickers: the set it runs, or what it is.
 * @param {string} model
 */
function modelLabel(model) {
  if (model === "chat") return "chat — the chat model, its own template";
  if (model === "base") return "base — zero-shot, URIAL layout";
  const set = setOfModel(model);
  if (model === "urial" && set) return `urial — default set ${set.name}@${set.version}`;
  return set ? `${model} — ${set.name}@${set.version}` : model;
}

/** @param {string} model */
function setOfModel(model) {
  if (model === "urial") return [...server.sets.values()].find((set) => set.default);
  return [...server.sets.values()].find((set) => set.model === model);
}

/**
 * @param {HTMLSelectElement} select
 * @param {string} [preferred]
 */
function fillModelSelect(select, preferred) {
  const current = preferred ?? select.value;
  select.replaceChildren(...server.models.map((model) => el("option", { text: modelLabel(model), attrs: { value: model } })));
  if (server.models.includes(current)) select.value = current;
}

const status = byId("server-status");

async function loadServer() {
  try {
    const health = await fetch("/health", { headers: { accept: "application/json" }, cache: "no-store" }).then((response) => response.json());
    if (health.status === "loading") {
      status.textContent = "The server is loading its model…";
      setTimeout(() => void loadServer(), 1500);
      return;
    }
    const [models, sets] = await Promise.all([api.json("GET", "/v1/models"), api.json("GET", "/v1/exemplar-sets")]);
    server.models = models.data.map((/** @type {{ id: string }} */ model) => model.id);
    server.sets = new Map(sets.data.map((/** @type {any} */ set) => [set.model, set]));
    server.hasChatModel = server.models.includes("chat");
    status.textContent = `${health.model} · context ${health.context_size} tokens · ${server.hasChatModel ? "chat model loaded" : "no chat model (start with --chat-model for the chat column and token shift)"}`;
    showError(globalError, null);
    fillModelSelect(chatModel, chatModel.value || "urial");
    setupCompareColumns();
    setupShift();
    showChatSet();
    void loadTally();
  } catch (error) {
    status.textContent = "Not connected.";
    showError(globalError, error);
  }
}

// ---------------------------------------------------------------- chat

const chatModel = /** @type {HTMLSelectElement} */ (byId("chat-model"));
const chatSet = byId("chat-set");
const chatLog = byId("chat-log");
const chatInput = /** @type {HTMLTextAreaElement} */ (byId("chat-input"));
const chatSystem = /** @type {HTMLTextAreaElement} */ (byId("chat-system"));
const chatSend = /** @type {HTMLButtonElement} */ (byId("chat-send"));
const chatStop = /** @type {HTMLButtonElement} */ (byId("chat-stop"));
const chatError = byId("chat-error");
const showPrompt = /** @type {HTMLInputElement} */ (byId("chat-show-prompt"));
const promptPanel = byId("chat-prompt");

/** @type {{ query: string, answer: string }[]} */
let turns = [];
/** @type {AbortController | null} */
let chatAbort = null;

function showChatSet() {
  const set = setOfModel(chatModel.value);
  chatSet.textContent = chatModel.value === "chat" ? "chat model" : set ? `${set.name}@${set.version}` : "";
  chatSet.title = set ? `${set.description} (hash ${set.hash})` : "";
}

chatModel.addEventListener("change", () => {
  showChatSet();
  schedulePromptPreview();
});

/**
 * A message in the log; returns its text and meta elements.
 * @param {"user" | "assistant"} role
 * @param {string} label
 * @param {string} text
 */
function addMessage(role, label, text) {
  chatLog.querySelector(".empty")?.remove();
  const body = el("div", { className: "text", text });
  const meta = el("div", { className: "meta muted" });
  const message = el("div", { className: `message ${role}` }, [el("div", { className: "role", text: label }), body, meta]);
  chatLog.append(message);
  message.scrollIntoView({ block: "end" });
  return { message, body, meta };
}

async function sendChat() {
  const query = chatInput.value;
  if (query.trim().length === 0 || chatAbort) return;
  showError(chatError, null);
  const model = chatModel.value;
  const messages = chatMessages(chatSystem.value, turns, query);
  addMessage("user", "You", query);
  chatInput.value = "";
  const set = setOfModel(model);
  const view = addMessage("assistant", model === "chat" ? "chat model" : `${model}${set ? ` · ${set.name}@${set.version}` : ""}`, "");
  view.message.classList.add("streaming");
  const controller = new AbortController();
  chatAbort = controller;
  chatSend.disabled = true;
  chatStop.hidden = false;
  let answer = emptyAnswer(performance.now());
  try {
    await api.stream(
      "/v1/chat/completions",
      {
        model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
        temperature: numberFrom(/** @type {HTMLInputElement} */ (byId("chat-temperature")), 0),
        max_tokens: numberFrom(/** @type {HTMLInputElement} */ (byId("chat-max-tokens")), 256),
      },
      {
        signal: controller.signal,
        onHeaders: (headers) => {
          const served = headers.get("x-urial-exemplar-set");
          if (served) /** @type {HTMLElement} */ (view.message.querySelector(".role")).textContent = `${model} · ${served}`;
        },
        onChunk: (chunk) => {
          answer = applyChunk(answer, chunk, performance.now());
          view.body.textContent = answer.content;
        },
      },
    );
  } catch (error) {
    if (isAbort(error)) answer = { ...answer, stopReason: "stopped" };
    else {
      // Shown where the answer would have been (the API's own message).
      view.meta.setAttribute("role", "alert");
      view.meta.classList.add("error-text");
      view.meta.textContent = describeError(error);
    }
  } finally {
    answer = { ...answer, endedAt: performance.now() };
    view.message.classList.remove("streaming");
    chatAbort = null;
    chatSend.disabled = false;
    chatStop.hidden = true;
  }
  if (!view.meta.classList.contains("error-text")) view.meta.textContent = describeAnswer(answer);
  if (answer.content.length > 0) {
    turns.push({ query, answer: answer.content });
    if (server.hasChatModel) view.meta.append(" ", shiftButton(query, answer.content));
  } else if (!view.meta.classList.contains("error-text")) {
    view.body.textContent = "(no text)";
  }
  schedulePromptPreview();
  chatInput.focus();
}

byId("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void sendChat();
});
chatInput.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    void sendChat();
  }
});
chatInput.addEventListener("input", () => schedulePromptPreview());
chatSystem.addEventListener("input", () => schedulePromptPreview());
chatStop.addEventListener("click", () => chatAbort?.abort());
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    chatAbort?.abort();
    for (const column of compareRun) column.abort.abort();
  }
});
byId("chat-new").addEventListener("click", () => {
  chatAbort?.abort();
  turns = [];
  chatLog.replaceChildren(el("p", { className: "muted empty", text: "New conversation." }));
  showError(chatError, null);
  schedulePromptPreview();
  chatInput.focus();
});

// The rendered prompt of the next request, asked for whenever its inputs change.
/** @type {ReturnType<typeof setTimeout> | undefined} */
let previewTimer;
let previewSerial = 0;
showPrompt.addEventListener("change", () => {
  promptPanel.hidden = !showPrompt.checked;
  schedulePromptPreview();
});

function schedulePromptPreview() {
  if (!showPrompt.checked) return;
  clearTimeout(previewTimer);
  previewTimer = setTimeout(() => void loadPromptPreview(), 250);
}

async function loadPromptPreview() {
  const serial = ++previewSerial;
  const errorBox = byId("chat-prompt-error");
  try {
    const info = await api.json("POST", "/v1/chat/prompt", { model: chatModel.value, messages: previewMessages(chatSystem.value, turns, chatInput.value) });
    if (serial !== previewSerial) return;
    showError(errorBox, null);
    byId("chat-prompt-summary").textContent = promptSummary(info);
    const text = byId("chat-prompt-text");
    text.replaceChildren(...promptPieces(info.prompt, info.prefix_length).map((piece) => el("span", { className: `${piece.part}${piece.header ? " header" : ""}`, text: piece.text })));
    // The conversation is at the end: show it (the shared prefix is above).
    text.scrollTop = text.scrollHeight;
  } catch (error) {
    if (serial === previewSerial) showError(errorBox, error);
  }
}

// ---------------------------------------------------------------- compare

const pickers = byId("compare-pickers");
const columnsBox = byId("compare-columns");
const compareQuery = /** @type {HTMLTextAreaElement} */ (byId("compare-query"));
const compareError = byId("compare-error");
const compareRunButton = /** @type {HTMLButtonElement} */ (byId("compare-run"));
const compareStop = /** @type {HTMLButtonElement} */ (byId("compare-stop"));
const maxColumns = 4;
const minColumns = 2;

/**
 * @typedef {{ model: string, abort: AbortController, answer: import("./chat-answer.js").AnswerState, requestId: string | null, exemplarSet: string | null, experiment: string | null, error: unknown, view: { body: HTMLElement, meta: HTMLElement, article: HTMLElement } }} ColumnRun
 */
/** @type {ColumnRun[]} */
let compareRun = [];
let compareQueryText = "";
let comparisonId = "";

function defaultColumns() {
  const others = server.models.filter((model) => model.startsWith("urial/") && setOfModel(model)?.default !== true);
  const wanted = ["base", "urial", server.hasChatModel ? "chat" : (others[0] ?? "urial")];
  return wanted.filter((model) => server.models.includes(model));
}

let columnsReady = false;
function setupCompareColumns() {
  if (columnsReady) {
    for (const select of pickers.querySelectorAll("select")) fillModelSelect(/** @type {HTMLSelectElement} */ (select));
    return;
  }
  columnsReady = true;
  for (const model of defaultColumns()) addPicker(model);
  while (pickers.children.length < minColumns) addPicker("urial");
}

/** @param {string} model */
function addPicker(model) {
  if (pickers.children.length >= maxColumns) return;
  const index = pickers.children.length;
  const select = /** @type {HTMLSelectElement} */ (el("select", { attrs: { "aria-label": `Column ${index + 1} model` } }));
  fillModelSelect(select, model);
  const remove = el("button", { text: "Remove", attrs: { type: "button", "aria-label": `Remove column ${index + 1}` } });
  const picker = el("div", { className: "picker" }, [el("span", { className: "column-letter", text: columnLetter(index) }), select, remove]);
  remove.addEventListener("click", () => {
    if (pickers.children.length <= minColumns) return;
    picker.remove();
    relabelPickers();
  });
  pickers.append(picker);
  relabelPickers();
}

function relabelPickers() {
  [...pickers.children].forEach((picker, index) => {
    /** @type {HTMLElement} */ (picker.querySelector(".column-letter")).textContent = columnLetter(index);
    /** @type {HTMLButtonElement} */ (picker.querySelector("button")).disabled = pickers.children.length <= minColumns;
  });
  /** @type {HTMLButtonElement} */ (byId("compare-add")).disabled = pickers.children.length >= maxColumns;
}

/** @param {number} index */
function columnLetter(index) {
  return String.fromCharCode(65 + index);
}

byId("compare-add").addEventListener("click", () => addPicker(server.models.find((model) => model.startsWith("urial/")) ?? "urial"));
byId("compare-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void runCompare();
});
compareQuery.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    void runCompare();
  }
});
compareStop.addEventListener("click", () => {
  for (const column of compareRun) column.abort.abort();
});

async function runCompare() {
  const query = compareQuery.value;
  if (query.trim().length === 0) {
    showError(compareError, new Error("Write a query first."));
    return;
  }
  if (compareRun.some((column) => column.answer.endedAt === null)) return;
  showError(compareError, null);
  const models = [...pickers.querySelectorAll("select")].map((select) => /** @type {HTMLSelectElement} */ (select).value);
  const messages = chatMessages(/** @type {HTMLTextAreaElement} */ (byId("compare-system")).value, [], query);
  const temperature = numberFrom(/** @type {HTMLInputElement} */ (byId("compare-temperature")), 0);
  const maxTokens = numberFrom(/** @type {HTMLInputElement} */ (byId("compare-max-tokens")), 256);
  compareQueryText = query;
  comparisonId = `cmp_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  columnsBox.style.setProperty("--columns", String(models.length));
  compareRun = models.map((model, index) => {
    const body = el("div", { className: "answer" });
    const meta = el("p", { className: "meta muted" });
    const set = setOfModel(model);
    const article = el("article", { className: "column streaming", attrs: { "data-model": model } }, [
      el("header", {}, [el("h3", { text: `${columnLetter(index)} · ${model}` }), el("span", { className: "badge", text: model === "chat" ? "chat model" : set ? `${set.name}@${set.version}` : "" })]),
      body,
      meta,
    ]);
    return { model, abort: new AbortController(), answer: emptyAnswer(performance.now()), requestId: null, exemplarSet: null, experiment: null, error: null, view: { body, meta, article } };
  });
  columnsBox.replaceChildren(...compareRun.map((column) => column.view.article));
  byId("compare-votes").hidden = true;
  compareRunButton.disabled = true;
  compareStop.hidden = false;
  await Promise.all(compareRun.map((column) => runColumn(column, messages, temperature, maxTokens)));
  compareRunButton.disabled = false;
  compareStop.hidden = true;
  showVotes();
}

/**
 * @param {ColumnRun} column
 * @param {ReturnType<typeof chatMessages>} messages
 * @param {number} temperature
 * @param {number} maxTokens
 */
async function runColumn(column, messages, temperature, maxTokens) {
  try {
    await api.stream(
      "/v1/chat/completions",
      { model: column.model, messages, temperature, max_tokens: maxTokens, stream: true, stream_options: { include_usage: true } },
      {
        signal: column.abort.signal,
        onHeaders: (headers) => {
          column.requestId = headers.get("x-request-id");
          column.exemplarSet = headers.get("x-urial-exemplar-set");
          column.experiment = headers.get("x-urial-experiment");
          if (column.exemplarSet) /** @type {HTMLElement} */ (column.view.article.querySelector(".badge")).textContent = column.exemplarSet;
        },
        onChunk: (chunk) => {
          column.answer = applyChunk(column.answer, chunk, performance.now());
          column.view.body.textContent = column.answer.content;
        },
      },
    );
  } catch (error) {
    if (isAbort(error)) column.answer = { ...column.answer, stopReason: "stopped" };
    else column.error = error;
  }
  column.answer = { ...column.answer, endedAt: performance.now() };
  column.view.article.classList.remove("streaming");
  if (column.error) {
    column.view.article.classList.add("failed");
    column.view.body.append(el("p", { className: "error", text: describeError(column.error), attrs: { role: "alert" } }));
  } else if (column.answer.content.length === 0) column.view.body.textContent = "(no text)";
  column.view.meta.textContent = describeAnswer(column.answer);
  if (server.hasChatModel && column.answer.content.length > 0) column.view.meta.append(" ", shiftButton(compareQueryText, column.answer.content));
}

function showVotes() {
  const rows = byId("vote-rows");
  const answered = compareRun.map((column, index) => ({ column, index })).filter(({ column }) => !column.error && column.answer.content.length > 0);
  const pairs = columnPairs(answered.length).map(([i, j]) => [/** @type {typeof answered[number]} */ (answered[i]), /** @type {typeof answered[number]} */ (answered[j])]);
  rows.replaceChildren(
    ...pairs.map(([first, second]) => {
      const a = first.column;
      const b = second.column;
      const state = el("span", { className: "muted vote-state" });
      const buttons = /** @type {const} */ ([
        ["a", `${columnLetter(first.index)} better`],
        ["tie", "Tie"],
        ["b", `${columnLetter(second.index)} better`],
      ]).map(([winner, text]) => {
        const button = /** @type {HTMLButtonElement} */ (el("button", { text, attrs: { type: "button", "data-winner": winner } }));
        button.addEventListener("click", () => void vote(a, b, winner, button, state));
        return button;
      });
      return el("div", { className: "vote-row" }, [
        el("span", { className: "pair", text: `${columnLetter(first.index)} ${a.model} vs ${columnLetter(second.index)} ${b.model}` }),
        el("span", { className: "vote-buttons", attrs: { role: "group", "aria-label": `${a.model} versus ${b.model}` } }, buttons),
        state,
      ]);
    }),
  );
  byId("compare-votes").hidden = pairs.length === 0;
}

/**
 * Stores a vote, tells an experiment which answer won, and refreshes the tally.
 * @param {ColumnRun} a
 * @param {ColumnRun} b
 * @param {"a" | "b" | "tie"} winner
 * @param {HTMLButtonElement} button
 * @param {HTMLElement} state
 */
async function vote(a, b, winner, button, state) {
  const group = /** @type {HTMLElement} */ (button.parentElement);
  for (const each of group.querySelectorAll("button")) each.classList.toggle("chosen", each === button);
  state.textContent = "saving…";
  try {
    const side = (/** @type {ColumnRun} */ column) => ({ model: column.model, request_id: column.requestId, exemplar_set: column.exemplarSet ?? (column.model === "chat" ? "chat model" : null) });
    await api.json("POST", "/v1/votes", { query: compareQueryText, a: side(a), b: side(b), winner, comparison_id: comparisonId });
    const notes = ["saved"];
    if (winner !== "tie") {
      for (const [column, preferred] of /** @type {const} */ ([
        [a, winner === "a"],
        [b, winner === "b"],
      ])) {
        if (column.experiment && column.requestId) {
          await api.json("POST", "/v1/feedback", { request_id: column.requestId, preferred });
          notes.push(`sent to experiment ${column.experiment}`);
        }
      }
    }
    state.textContent = notes.join(", ");
    await loadTally();
  } catch (error) {
    state.textContent = describeError(error);
    state.classList.add("error-text");
  }
}

async function loadTally() {
  try {
    const votes = await api.json("GET", "/v1/votes?limit=10000");
    const rows = tallyVotes(votes.data);
    const table = /** @type {HTMLTableElement} */ (byId("tally-table"));
    byId("tally-empty").hidden = rows.length > 0;
    table.hidden = rows.length === 0;
    /** @type {HTMLElement} */ (table.querySelector("tbody")).replaceChildren(
      ...rows.map((row) =>
        el("tr", { attrs: { title: describeRow(row) } }, [
          el("td", { text: row.first }),
          el("td", { text: row.second }),
          el("td", { className: "number", text: String(row.firstWins) }),
          el("td", { className: "number", text: String(row.ties) }),
          el("td", { className: "number", text: String(row.secondWins) }),
          el("td", { className: "number", text: String(row.total) }),
        ]),
      ),
    );
  } catch (error) {
    byId("tally-empty").textContent = describeError(error);
  }
}

// ---------------------------------------------------------------- token shift

const shiftForm = byId("shift-form");
const shiftSet = /** @type {HTMLSelectElement} */ (byId("shift-set"));
const shiftQuery = /** @type {HTMLTextAreaElement} */ (byId("shift-query"));
const shiftAnswer = /** @type {HTMLTextAreaElement} */ (byId("shift-answer"));
const shiftError = byId("shift-error");
const shiftRun = /** @type {HTMLButtonElement} */ (byId("shift-run"));
const details = byId("shift-details");

function setupShift() {
  byId("shift-disabled").hidden = server.hasChatModel;
  shiftForm.hidden = !server.hasChatModel;
  const current = shiftSet.value;
  const sets = [...server.sets.values()].filter((set) => set.model !== "base");
  shiftSet.replaceChildren(...sets.map((set) => el("option", { text: `${set.name}@${set.version}${set.default ? " (default)" : ""}`, attrs: { value: set.name } })));
  const fallback = sets.find((set) => set.default)?.name;
  if (sets.some((set) => set.name === current)) shiftSet.value = current;
  else if (fallback) shiftSet.value = fallback;
}

/**
 * A button that opens an answer in the token-shift view.
 * @param {string} query
 * @param {string} answer
 */
function shiftButton(query, answer) {
  const button = el("button", { className: "link", text: "Token shift", attrs: { type: "button", title: "Colour this answer's tokens by the base model's rank, zero-shot and with URIAL" } });
  button.addEventListener("click", () => {
    shiftQuery.value = query;
    shiftAnswer.value = answer;
    selectTab("tab-shift");
    void runShift();
  });
  return button;
}

shiftForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void runShift();
});
byId("shift-details-close").addEventListener("click", () => {
  details.hidden = true;
});

async function runShift() {
  if (shiftQuery.value.trim().length === 0) {
    showError(shiftError, new Error("Write the query the answer belongs to."));
    return;
  }
  showError(shiftError, null);
  shiftRun.disabled = true;
  shiftRun.textContent = "Analysing…";
  details.hidden = true;
  try {
    const body = {
      query: shiftQuery.value,
      ...(shiftAnswer.value.trim().length > 0 ? { answer: shiftAnswer.value } : {}),
      exemplars: shiftSet.value || null,
      max_tokens: numberFrom(/** @type {HTMLInputElement} */ (byId("shift-max-tokens")), 128),
    };
    const document_ = await api.json("POST", "/v1/shift", body);
    showShift(document_);
  } catch (error) {
    showError(shiftError, error);
  } finally {
    shiftRun.disabled = false;
    shiftRun.textContent = "Show token shift";
  }
}

/** @param {any} shift */
function showShift(shift) {
  const prompt = shift.prompts[0];
  /** @type {import("./shift-view.js").Position[]} */
  const positions = prompt.positions;
  if (prompt.answer.source === "generated") shiftAnswer.value = prompt.answer.text;
  const closure = shift.summary.closure;
  const relative = closure.relative === null ? "" : `; URIAL removes ${Math.round(closure.relative * 100)} % of the zero-shot shift`;
  byId("shift-summary").textContent =
    `${positions.length} answer tokens${prompt.answer.truncated ? " (cut to fit the context)" : ""}: shifted ${share(closure.zeroShotShiftedShare)} zero-shot vs ${share(closure.urialShiftedShare)} with URIAL${relative}.`;
  for (const context of /** @type {const} */ (["zeroShot", "urial"])) {
    const column = /** @type {HTMLElement} */ (document.querySelector(`.shift-column[data-context="${context}"]`));
    /** @type {HTMLElement} */ (column.querySelector(".split")).textContent = splitLine(positions, context).text;
    /** @type {HTMLElement} */ (column.querySelector(".tokens")).replaceChildren(
      ...positions.map((position, index) => {
        // A span, not a button: buttons are atomic boxes, so a token's line break would not break the line.
        const token = el("span", {
          className: `t ${tokenCategory(position, context)}${position.special ? " special" : ""}`,
          text: visibleTokenText(position.text),
          attrs: { role: "button", tabindex: "0", title: tokenTitle(position, context), "data-index": String(index) },
        });
        token.addEventListener("click", () => showDetails(position, token));
        token.addEventListener("keydown", (event) => {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            showDetails(position, token);
          }
        });
        return token;
      }),
    );
  }
  byId("shift-result").hidden = false;
}

/** @param {number | null} value */
function share(value) {
  return value === null ? "–" : `${Math.round(value * 100)} %`;
}

/**
 * @param {import("./shift-view.js").Position} position
 * @param {HTMLElement} token
 */
function showDetails(position, token) {
  for (const selected of document.querySelectorAll(".t.selected")) selected.classList.remove("selected");
  for (const twin of document.querySelectorAll(`.t[data-index="${token.dataset.index}"]`)) twin.classList.add("selected");
  byId("shift-details-title").textContent = `Position ${position.position}: ${JSON.stringify(position.text)}`;
  byId("shift-details-tables").replaceChildren(
    ...topTables(position).map((table) =>
      el("table", {}, [
        el("caption", { text: table.caption }),
        el(
          "tbody",
          {},
          table.rows.map((row) => el("tr", { className: row.isAnswer ? "answer" : "" }, [el("td", { className: "token", text: row.text }), el("td", { className: "number", text: row.probability })])),
        ),
      ]),
    ),
  );
  details.hidden = false;
}

// ---------------------------------------------------------------- start

keyInput.addEventListener("input", () => {
  keyState.textContent = "";
});
showKeyState();
void loadServer();
