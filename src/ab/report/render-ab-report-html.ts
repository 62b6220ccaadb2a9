/**
 * @module ab/report/render-ab-report-html
 * `report.html`: one self-contained page (inline CSS, SVG and a small
 * script; a Content-Security-Policy that forbids every network request)
 * built from the results by a pure function: the summary tables, the
 * per-aspect chart, and every prompt with the variants' answers side by
 * side, the judge's scores and reasons, and a filter by category. Model and
 * judge text is HTML-escaped wherever it lands.
 */
import { pageHead } from "../../report-page/page-head.js";
import type { AbAnswer, AbPromptResult, AbResults, PairJudgement, ScoreJudgement } from "../offline/ab-results.js";
import { abReportScript } from "./ab-report-script.js";
import { abReportStyle } from "./ab-report-style.js";
import { endedCleanly, isRefusal } from "../offline/answer-quality.js";
import { escapeHtml } from "../../report-page/escape-html.js";
import { describeJudge, formatMeanInterval, formatPercentInterval } from "./format-ab.js";
import { judgeAspects } from "../judge/judge-aspects.js";
import { renderAspectChart } from "./render-aspect-chart.js";

/** Renders the whole page. */
export function renderAbReportHtml(results: AbResults): string {
  const { summary, settings } = results;
  const variants = summary.variants.map((variant) => variant.variant);
  const title = `A/B report: ${variants.slice(1).join(", ")} vs ${variants[0]}`;
  const categories = [...new Set(results.prompts.map((prompt) => prompt.category))];
  return `${pageHead(title, abReportStyle)}
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta" id="judge">Judged by ${escapeHtml(describeJudge(results.judge))} (judge prompt ${escapeHtml(results.judge.promptVersion)}).</p>
<p class="meta">Answers by <code>${escapeHtml(results.model.path)}</code> through the URIAL server pipeline · suite <code>${escapeHtml(settings.suite)}</code>: ${results.prompts.length} prompts × ${settings.samples} sample${settings.samples === 1 ? "" : "s"}, seed ${settings.seed}, temperature ${settings.temperature}, at most ${settings.maxTokens} tokens · 95 % bootstrap intervals over prompts (${settings.bootstrap.resamples} resamples, seed ${settings.bootstrap.seed}) · ${escapeHtml(results.createdAt)}</p>
</header>
<main>
<h2>Pairwise: each candidate against ${escapeHtml(variants[0] ?? "")}</h2>
${renderComparisons(results)}
<h2>Variants</h2>
${renderVariants(results)}
<h2>Aspect scores (1–5)</h2>
<figure>${renderAspectChart(summary.variants)}</figure>
<h2>Judge failures</h2>
<p id="failures">Counted, never dropped: <b>${summary.failures.scores}</b> aspect-score judgements and <b>${summary.failures.pairOrders}</b> pairwise orders could not be read after ${settings.judgeRetries} ${settings.judgeRetries === 1 ? "retry" : "retries"} (left out of the statistics; shown with the judge's reply below); ${summary.failures.retried} replies were read only on a retry. Answers the server could not give: <b>${summary.failures.generation}</b>.</p>
<h2>Answers</h2>
<div class="filter"><label for="category-filter">Category</label> <select id="category-filter"><option value="">all</option>${categories.map((category) => `<option value="${escapeHtml(category)}">${escapeHtml(category)}</option>`).join("")}</select> <span id="filter-count" class="muted"></span></div>
${results.prompts.map((prompt) => renderPrompt(prompt, results)).join("\n")}
</main>
<script>${abReportScript}</script>
</body>
</html>
`;
}

function renderComparisons(results: AbResults): string {
  const rows = results.summary.comparisons.map(
    (comparison) =>
      `<tr data-candidate="${escapeHtml(comparison.candidate)}"><td>${escapeHtml(comparison.candidate)}</td><td class="number">${comparison.pairs}</td><td class="number">${comparison.wins} · ${formatPercentInterval(comparison.winShare)}</td><td class="number">${comparison.ties} · ${formatPercentInterval(comparison.tieShare)}</td><td class="number">${comparison.losses} · ${formatPercentInterval(comparison.lossShare)}</td><td class="number">${formatPercentInterval(comparison.winRate)}</td><td class="number">${formatPercentInterval(comparison.lengthControlled.winRate)}</td><td class="number">${comparison.orderAgreement === null ? "–" : `${(comparison.orderAgreement * 100).toFixed(1)} %`}</td><td class="number">${comparison.failedPairs} / ${comparison.skippedPairs}</td></tr>`,
  );
  const byCategory = results.summary.comparisons.length === 0 ? "" : renderByCategory(results);
  return `<div class="wide"><table id="comparisons"><tr><th>candidate</th><th class="number">pairs</th><th class="number">win</th><th class="number">tie</th><th class="number">loss</th><th class="number">win rate</th><th class="number">length-controlled</th><th class="number">order agreement</th><th class="number">failed / skipped</th></tr>${rows.join("")}</table></div>
<p class="muted">Each pair is judged twice with the answers swapped; its preference is the mean of the two orders (1 win, ½ tie, 0 loss), a win above ½ and a loss below; the win rate is the mean preference. The length-controlled win rate is what a logistic fit of preference on the normalised length difference predicts at equal length (AlpacaEval 2). Order agreement: pairs whose two orders gave the same verdict.</p>
${byCategory}`;
}

function renderByCategory(results: AbResults): string {
  const comparisons = results.summary.comparisons;
  const rows = comparisons[0]!.byCategory.map(
    ({ category }) =>
      `<tr><td>${escapeHtml(category)}</td>${comparisons
        .map((comparison) => {
          const entry = comparison.byCategory.find((each) => each.category === category);
          return `<td class="number">${entry === undefined ? "–" : `${formatPercentInterval(entry.winRate)} (${entry.pairs})`}</td>`;
        })
        .join("")}</tr>`,
  );
  return `<table id="by-category"><tr><th>category: win rate (pairs)</th>${comparisons.map((comparison) => `<th class="number">${escapeHtml(comparison.candidate)}</th>`).join("")}</tr>${rows.join("")}</table>`;
}

function renderVariants(results: AbResults): string {
  const rows = results.summary.variants.map(
    (variant) =>
      `<tr><td>${escapeHtml(variant.variant)}</td><td class="number">${variant.answers}</td><td class="number">${variant.errors}</td><td class="number">${formatMeanInterval(variant.length, 0)}</td><td class="number">${formatMeanInterval(variant.completionTokens, 1)}</td><td class="number">${formatPercentInterval(variant.refusalRate)}</td><td class="number">${formatPercentInterval(variant.cleanEndingRate)}</td><td class="number">${formatMeanInterval(variant.aspects.overall)}</td><td class="number">${variant.scoreFailures}</td></tr>`,
  );
  return `<table id="variants"><tr><th>variant</th><th class="number">answers</th><th class="number">errors</th><th class="number">length (chars)</th><th class="number">tokens</th><th class="number">refusal rate</th><th class="number">clean endings</th><th class="number">overall score</th><th class="number">unreadable scores</th></tr>${rows.join("")}</table>`;
}

function renderPrompt(prompt: AbPromptResult, results: AbResults): string {
  const variants = results.variants.map((variant) => variant.id);
  const samples = results.settings.samples;
  const conversation = (prompt.messages ?? [{ role: "user", content: prompt.query }]).map((message) => `${message.role}: ${message.content}`).join("\n\n");
  const blocks: string[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    if (samples > 1) blocks.push(`<h4>Sample ${sample + 1}</h4>`);
    blocks.push(`<div class="answers">${variants.map((variant) => renderAnswer(variant, prompt.answers[variant]?.[sample], prompt.scores[variant]?.[sample] ?? null)).join("")}</div>`);
    for (const pair of prompt.pairs.filter((each) => each.sample === sample)) blocks.push(renderPair(pair, variants[0]!));
  }
  const info = prompt.informativeness === null ? "" : `<span class="badge" title="informativeness">informativeness ${prompt.informativeness.toFixed(2)}</span>`;
  return `<article class="prompt" data-category="${escapeHtml(prompt.category)}" id="prompt-${escapeHtml(prompt.id)}">
<h3>${escapeHtml(prompt.id)}<span class="badge">${escapeHtml(prompt.category)}</span>${info}</h3>
<div class="conversation">${escapeHtml(conversation)}</div>
${blocks.join("\n")}
</article>`;
}

function renderAnswer(variant: string, answer: AbAnswer | undefined, judgement: ScoreJudgement | null): string {
  if (answer === undefined) return "";
  if (answer.error !== null) return `<div class="answer"><h4>${escapeHtml(variant)} <span class="badge fail">no answer</span></h4><p>${escapeHtml(answer.error)}</p></div>`;
  const badges = [
    `<span class="badge">${answer.content.length} chars${answer.completionTokens === null ? "" : `, ${answer.completionTokens} tokens`}</span>`,
    `<span class="badge">${escapeHtml(answer.finishReason ?? "?")}${answer.stopReason ? ` · ${escapeHtml(answer.stopReason)}` : ""}</span>`,
    endedCleanly(answer) ? "" : `<span class="badge fail">not a clean ending</span>`,
    isRefusal(answer.content) ? `<span class="badge">refusal</span>` : "",
  ].join("");
  let scores = "";
  if (judgement !== null) {
    scores = judgement.ok
      ? `<table class="scores"><tr><th>aspect</th><th class="number">score</th><th>judge's reason</th></tr>${judgeAspects.map((aspect) => `<tr><td>${aspect}</td><td class="number">${judgement.scores[aspect].score}</td><td>${escapeHtml(judgement.scores[aspect].reason)}</td></tr>`).join("")}</table>`
      : `<p><span class="badge fail">scores unreadable after ${judgement.attempts} attempts</span> ${escapeHtml(judgement.error)}</p><div class="raw">${escapeHtml(judgement.raw)}</div>`;
  }
  return `<div class="answer" data-variant="${escapeHtml(variant)}"><h4>${escapeHtml(variant)}${badges}</h4><div class="text">${escapeHtml(answer.content)}</div>${scores}</div>`;
}

function renderPair(pair: PairJudgement, baseline: string): string {
  const verdict = pair.verdict === null ? `<span class="badge fail">${pair.skipped !== undefined ? "not judged" : "no verdict"}</span>` : `<span class="badge ${pair.verdict}">${pair.verdict}</span>`;
  const orders = pair.orders.map((order) => {
    const shown = order.first === "baseline" ? `${baseline} shown first` : `${pair.candidate} shown first`;
    if (!order.ok)
      return `<li>${escapeHtml(shown)}: <span class="badge fail">unreadable after ${order.attempts} attempts</span> ${escapeHtml(order.error)}<div class="raw">${escapeHtml(order.raw)}</div></li>`;
    const winner = order.winner === "tie" ? "tie" : order.winner === "candidate" ? pair.candidate : baseline;
    return `<li>${escapeHtml(shown)}: <b>${escapeHtml(winner)}</b> — ${escapeHtml(order.reason)}</li>`;
  });
  return `<div class="pair" data-candidate="${escapeHtml(pair.candidate)}">${escapeHtml(pair.candidate)} vs ${escapeHtml(baseline)}: ${verdict}${pair.preference === null ? "" : ` <span class="muted">preference ${pair.preference.toFixed(2)}</span>`}${pair.skipped !== undefined ? ` <span class="muted">${escapeHtml(pair.skipped)}</span>` : ""}<ul>${orders.join("")}</ul></div>`;
}
