/**
 * @module shift/render-report-html
 * `report.html`: one self-contained page (inline CSS, SVG and script; a
 * Content-Security-Policy that forbids every network request) built from a
 * `ShiftReport` by a pure function. Model text is escaped wherever it lands:
 * HTML-escaped in the page, `\u003c`-escaped in the embedded JSON, and set
 * with `textContent` by the script.
 */
import { pageHead } from "../report-page/page-head.js";
import { escapeHtml, jsonForScript } from "../report-page/escape-html.js";
import { formatShare, formatShiftSummary } from "./format-shift-summary.js";
import { renderPositionChart, renderSplitChart } from "./render-shift-charts.js";
import { reportScript } from "./report-script.js";
import { reportStyle } from "./report-style.js";
import type { BaseContextName, BaseScore, ChatScore, PromptShift, ShiftedToken, ShiftReport, Split } from "./shift-schema.js";

/** Renders the whole report page. */
export function renderReportHtml(report: ShiftReport): string {
  const { models, settings, summary } = report;
  const title = `Token distribution shift: ${models.base.name} → ${models.chat.name}`;
  return `${pageHead(title, reportStyle)}
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="summary" id="summary">${escapeHtml(formatShiftSummary(summary))}</p>
<p class="meta">Base <code>${escapeHtml(models.base.path)}</code> · chat <code>${escapeHtml(models.chat.path)}</code> (template: ${models.chat.chatTemplate === "gguf" ? "from the GGUF" : "override"}) · URIAL exemplar set <code>${escapeHtml(settings.exemplarSet.name)}@${escapeHtml(settings.exemplarSet.version)}</code> · top-${settings.topK} · up to ${settings.maxTokens} answer tokens${settings.temperature === 0 ? ", greedy" : `, temperature ${settings.temperature}, seed ${settings.seed ?? "random"}`} · ${escapeHtml(report.createdAt)}</p>
<p class="meta">Each chat-model answer token is read by the base model, teacher-forced after the query alone (<b>zero-shot</b>) and after the URIAL system prompt and exemplars (<b>URIAL</b>). η is the base model's rank of the chat model's token over the whole vocabulary: <b>unshifted</b> η = 1, <b>marginal</b> η 2–3, <b>shifted</b> η &gt; 3. <b>Closure</b> is the part of the zero-shot shifted share that the URIAL context removes.</p>
</header>
<main>
<h2>Split</h2>
<div class="charts">
<figure><figcaption>Share of answer tokens per category, overall and by answer position</figcaption>${renderSplitChart(summary)}</figure>
</div>
<h2>By position</h2>
<div class="charts">
<figure><figcaption>Mean KL(chat ‖ base) per answer position</figcaption>${renderPositionChart(summary.byPosition, "meanKl")}</figure>
<figure><figcaption>Mean base rank η per answer position (log scale)</figcaption>${renderPositionChart(summary.byPosition, "meanRank")}</figure>
</div>
<h2>Most shifted tokens</h2>
<div class="top-shifted">
${renderTopShifted("Zero-shot", summary.topShifted.zeroShot)}
${renderTopShifted("URIAL", summary.topShifted.urial)}
</div>
<h2>Answers</h2>
<p class="legend muted"><span class="t unshifted">unshifted</span> <span class="t marginal">marginal</span> <span class="t shifted">shifted</span> — hover or click a token for the top-${settings.topK} tables of both models (a click keeps them; Escape closes).</p>
${report.prompts.map((prompt, index) => renderPrompt(prompt, index)).join("\n")}
</main>
<aside id="details" hidden aria-live="polite"></aside>
<script type="application/json" id="shift-data">${jsonForScript(scriptData(report))}</script>
<script>${reportScript}</script>
</body>
</html>
`;
}

function renderTopShifted(title: string, tokens: readonly ShiftedToken[]): string {
  const rows =
    tokens.length === 0
      ? `<tr><td colspan="4" class="muted">no shifted tokens</td></tr>`
      : tokens
          .map(
            (token) =>
              `<tr><td><code>${escapeHtml(JSON.stringify(token.text))}</code></td><td class="number">${token.tokenId}</td><td class="number">${token.shifted}</td><td class="number">${token.occurrences}</td></tr>`,
          )
          .join("");
  return `<table class="shifted-tokens" data-context="${title === "URIAL" ? "urial" : "zeroShot"}"><caption>${escapeHtml(title)}</caption><tr><th>token</th><th class="number">id</th><th class="number">shifted</th><th class="number">occurrences</th></tr>${rows}</table>`;
}

function splitLine(split: Split): string {
  return `${formatShare(split.unshiftedShare)} / ${formatShare(split.marginalShare)} / ${formatShare(split.shiftedShare)}`;
}

function renderPrompt(prompt: PromptShift, index: number): string {
  const { answer } = prompt;
  const badges = [
    answer.source === "given" ? `<span class="badge">given answer</span>` : `<span class="badge">stop: ${escapeHtml(answer.stopReason)}</span>`,
    answer.truncated ? `<span class="badge warn">cut from ${answer.fullTokens} to ${answer.scoredTokens} tokens to fit the context</span>` : "",
  ].join("");
  const column = (context: BaseContextName, title: string) =>
    `<div class="column" data-context="${context}"><h4>${title}: ${splitLine(prompt.summary[context])}</h4><div class="tokens">${
      prompt.positions.length === 0
        ? `<span class="muted">no answer tokens fit the context</span>`
        : prompt.positions.map((position, at) => renderToken(position.text, position.special, position[context], index, at)).join("")
    }</div></div>`;
  return `<article class="prompt" id="prompt-${index}" data-id="${escapeHtml(prompt.id)}">
<h3>${escapeHtml(prompt.id)}${badges}</h3>
<p class="query">${escapeHtml(prompt.query)}</p>
<div class="columns">${column("zeroShot", "Base, zero-shot")}${column("urial", "Base, URIAL")}</div>
</article>`;
}

function renderToken(text: string, special: boolean, score: BaseScore, promptIndex: number, index: number): string {
  // A newline token shows a visible mark and still breaks the line.
  const shown = text.length === 0 ? "∅" : escapeHtml(text).replace(/\n/g, "↵\n");
  return `<span class="t ${score.category}${special ? " special" : ""}" data-p="${promptIndex}" data-i="${index}" tabindex="0" title="η = ${score.rank}">${shown}</span>`;
}

/** The per-position tables the script shows, in a compact shape. */
function scriptData(report: ShiftReport) {
  const chat = (score: ChatScore) => ({ r: score.rank, p: score.probability, top: score.top.map((entry) => [entry.id, entry.text, entry.probability]) });
  const base = (score: BaseScore) => ({ ...chat(score), k: score.kl, g: score.category });
  return {
    prompts: report.prompts.map((prompt) => ({
      id: prompt.id,
      positions: prompt.positions.map((position) => ({ t: position.text, id: position.tokenId, c: chat(position.chat), z: base(position.zeroShot), u: base(position.urial) })),
    })),
  };
}
