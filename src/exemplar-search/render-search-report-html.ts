/**
 * @module exemplar-search/render-search-report-html
 * `report.html` of a search: one self-contained static page (no script, no
 * network: the shared page head's Content-Security-Policy) built from a
 * `SearchReport` by a pure function. It shows the closure, the zero-shot /
 * system prompt / random / chosen / chat splits side by side, the objective
 * per step, every step's additions and swaps, what each exemplar scored on
 * its own, the chosen exemplars and the per-query shares. Every text from
 * the pool, the queries or the models is HTML-escaped.
 */
import { escapeHtml } from "../report-page/escape-html.js";
import { formatCoordinate } from "../report-page/format-coordinate.js";
import { pageHead } from "../report-page/page-head.js";
import { formatShare } from "../shift/format-shift-summary.js";
import { categoryColours } from "../shift/category-colours.js";
import { renderSplitBars, type SplitBarRow } from "../shift/render-split-bars.js";
import type { Split } from "../shift/shift-schema.js";
import type { ContextResult, SearchReport } from "./search-report-schema.js";

const style = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 15px; color: #1d2329; background: #fbfbfa; }
body { margin: 0 auto; max-width: 1180px; padding: 1.2rem 1.5rem 6rem; }
h1 { font-size: 1.5rem; margin: 0 0 .4rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.summary { font-size: 1.05rem; font-weight: 600; background: #eef3f8; border-left: 4px solid #3867a8; padding: .6rem .8rem; margin: .6rem 0; }
.meta, .muted { color: #666; font-size: .85rem; }
svg.chart text { font-size: 11px; fill: #333; }
svg.chart text.in-bar { fill: #1d2329; font-weight: 600; }
svg.chart .axis { stroke: #888; }
svg.chart .grid { stroke: #e6e6e6; }
table { border-collapse: collapse; font-size: .85rem; margin: .4rem 0; }
th, td { text-align: left; padding: .15rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
tr.chosen td { background: #eef7e8; font-weight: 600; }
.badge { display: inline-block; font-size: .75rem; padding: 0 .4rem; border-radius: 3px; background: #eee; }
.badge.warn { background: ${categoryColours.marginal}; }
article.exemplar { margin: .8rem 0; padding: .6rem .8rem; background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; }
pre { white-space: pre-wrap; word-break: break-word; font-size: .85rem; margin: .3rem 0; }
`;

/** Renders the whole report page. */
export function renderSearchReportHtml(report: SearchReport): string {
  const { models, settings, comparison, closure } = report;
  const title = `Exemplar search: ${models.base.name} → ${models.chat.name}`;
  const contexts = [comparison.zeroShot, comparison.systemOnly, ...comparison.random, comparison.chosen, comparison.chat];
  const chosenIds = new Set(report.chosen.ids);
  return `${pageHead(title, style)}
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="summary" id="summary">${escapeHtml(formatSearchSummary(report))}</p>
<p class="meta">Base <code>${escapeHtml(models.base.path)}</code> · chat <code>${escapeHtml(models.chat.path)}</code> · K = ${settings.k} · objective: ${settings.objective === "shifted" ? "shifted share" : "mean KL(chat ‖ base)"} · system prompt <code>${escapeHtml(settings.systemPrompt)}</code> · prefix budget ${settings.maxPrefixTokens} tokens (${settings.maxPrefixTokensFrom === "flag" ? "--max-prefix-tokens" : "context less the longest held-out query and answer"}) · seed ${settings.seed} · ${report.search.evaluations} sets evaluated in ${report.search.seconds.toFixed(1)} s · ${escapeHtml(report.createdAt)}</p>
<p class="meta">The chat model answers each held-out query; the base model reads that answer (teacher forcing) after each candidate set's URIAL context. η is the base model's rank of the chat model's token: <b>unshifted</b> η = 1, <b>marginal</b> η 2–3, <b>shifted</b> η &gt; 3. <b>Closure</b> is the part of the zero-shot shifted share the chosen set removes.</p>
</header>
<main>
<h2>Splits side by side</h2>
<p class="meta">On all ${report.queries.length} held-out queries (${comparison.zeroShot.overall.positions} answer tokens). Closure of the chosen set: ${closureText(closure.relative)}${report.randomClosure.map((entry, index) => `; random set ${index + 1}: ${closureText(entry.relative)}`).join("")}.</p>
<figure id="splits">${renderContextSplits(contexts.map((context) => ({ label: context.label, split: context.overall })))}</figure>
<h3>By answer position</h3>
<figure id="buckets">${renderContextSplits(
    comparison.zeroShot.byBucket.flatMap((bucket, index) =>
      bucket.positions === 0
        ? []
        : [
            { label: `zero-shot, ${bucket.bucket}`, split: bucket as Split },
            { label: `chosen, ${bucket.bucket}`, split: comparison.chosen.byBucket[index]! as Split },
          ],
    ),
  )}</figure>
${renderContextTable(contexts)}
<h2>Search path</h2>
<figure id="objective-chart">${renderObjectiveChart(report)}</figure>
${renderSteps(report)}
<h2>Pool: each exemplar alone</h2>
${renderPool(report, chosenIds)}
<h2>Chosen exemplars</h2>
${report.chosen.ids.map((id, index) => renderExemplar(report, id, index)).join("\n")}
<h2>Held-out queries</h2>
${renderQueries(report)}
</main>
</body>
</html>
`;
}

/** E.g. "chose a, b (2 of 9) · shifted share: zero-shot 2.5 % → chosen 0.0 % (system prompt alone …, random …, chat 0.0 %) · mean KL: … · closure 100.0 %". */
export function formatSearchSummary(report: SearchReport): string {
  const { comparison } = report;
  const random = comparison.random.length === 0 ? "" : `, random ${comparison.random.map((context) => formatShare(context.overall.shiftedShare)).join(" / ")}`;
  return [
    `chose ${report.chosen.ids.join(", ") || "no exemplar"} (${report.chosen.ids.length} of ${report.pool.length})`,
    `shifted share: zero-shot ${formatShare(comparison.zeroShot.overall.shiftedShare)} → chosen ${formatShare(comparison.chosen.overall.shiftedShare)} (system prompt alone ${formatShare(comparison.systemOnly.overall.shiftedShare)}${random}, chat ${formatShare(comparison.chat.overall.shiftedShare)})`,
    `mean KL: zero-shot ${formatKl(comparison.zeroShot.overall.meanKl)} → chosen ${formatKl(comparison.chosen.overall.meanKl)} nats`,
    `closure ${closureText(report.closure.relative)}`,
  ].join(" · ");
}

function formatKl(value: number | null): string {
  return value === null ? "–" : value.toFixed(3);
}

function closureText(relative: number | null): string {
  return relative === null ? "n/a (no shifted tokens zero-shot)" : `${relative < 0 ? "−" : ""}${Math.abs(relative * 100).toFixed(1)} %`;
}

function renderContextSplits(rows: readonly SplitBarRow[]): string {
  return renderSplitBars(rows, { labelWidth: 170, ariaLabel: "Split of answer tokens by base rank per context", noteEmptyRows: false });
}

function renderContextTable(contexts: readonly ContextResult[]): string {
  const rows = contexts
    .map(
      (context) =>
        `<tr data-context="${escapeHtml(context.label)}"><td>${escapeHtml(context.label)}</td><td>${context.ids.map((id) => `<code>${escapeHtml(id)}</code>`).join(", ") || '<span class="muted">–</span>'}</td><td class="number">${context.prefixTokens ?? "–"}</td><td class="number">${formatShare(context.overall.unshiftedShare)}</td><td class="number">${formatShare(context.overall.marginalShare)}</td><td class="number">${formatShare(context.overall.shiftedShare)}</td><td class="number">${context.overall.meanKl === null ? "–" : context.overall.meanKl.toFixed(3)}</td></tr>`,
    )
    .join("");
  return `<table class="contexts"><tr><th>context</th><th>exemplars</th><th class="number">prefix tokens</th><th class="number">unshifted</th><th class="number">marginal</th><th class="number">shifted</th><th class="number">mean KL</th></tr>${rows}</table>`;
}

function formatObjective(report: SearchReport, value: number | null): string {
  if (value === null) return "does not fit";
  return report.settings.objective === "shifted" ? formatShare(value) : `${value.toFixed(4)} nats`;
}

/** The objective after each step (start, greedy additions, accepted swaps), with the zero-shot level dashed. */
function renderObjectiveChart(report: SearchReport): string {
  const points = report.steps.map((step) => step.objective);
  const reference = report.search.zeroShotObjective;
  const width = 640;
  const height = 220;
  const left = 60;
  const right = 20;
  const top = 16;
  const bottom = 40;
  const high = Math.max(reference, ...points) * 1.1 || 1;
  const x = (index: number) => left + (points.length === 1 ? (width - left - right) / 2 : (index / (points.length - 1)) * (width - left - right));
  const y = (value: number) => top + (1 - value / high) * (height - top - bottom);
  const label = (value: number) => (report.settings.objective === "shifted" ? `${(value * 100).toFixed(high < 0.1 ? 1 : 0)}%` : value.toFixed(high < 0.1 ? 3 : 2));
  const parts: string[] = [];
  for (let tick = 0; tick <= 4; tick += 1) {
    const value = (high * tick) / 4;
    parts.push(
      `<line class="grid" x1="${left}" x2="${width - right}" y1="${formatCoordinate(y(value))}" y2="${formatCoordinate(y(value))}"/><text x="${left - 6}" y="${formatCoordinate(y(value) + 4)}" text-anchor="end">${label(value)}</text>`,
    );
  }
  parts.push(`<line class="axis" x1="${left}" x2="${width - right}" y1="${height - bottom}" y2="${height - bottom}"/>`);
  parts.push(
    `<line class="reference" x1="${left}" x2="${width - right}" y1="${formatCoordinate(y(reference))}" y2="${formatCoordinate(y(reference))}" stroke="#3867a8" stroke-dasharray="5 4"/><text x="${width - right}" y="${formatCoordinate(y(reference) - 4)}" text-anchor="end">zero-shot ${escapeHtml(formatObjective(report, reference))}</text>`,
  );
  parts.push(`<polyline fill="none" stroke="#c2571a" stroke-width="2" points="${points.map((value, index) => `${formatCoordinate(x(index))},${formatCoordinate(y(value))}`).join(" ")}"/>`);
  report.steps.forEach((step, index) => {
    const name = step.phase === "start" ? "start" : step.phase === "greedy" ? `+${step.step}` : `swap ${step.step}.${(step.position ?? 0) + 1}`;
    parts.push(
      `<circle class="step" cx="${formatCoordinate(x(index))}" cy="${formatCoordinate(y(step.objective))}" r="4" fill="#c2571a"><title>${escapeHtml(name)}: ${escapeHtml(formatObjective(report, step.objective))}${step.added ? ` (+${escapeHtml(step.added)})` : ""}</title></circle><text x="${formatCoordinate(x(index))}" y="${height - bottom + 16}" text-anchor="middle">${escapeHtml(name)}</text>`,
    );
  });
  return `<svg class="chart objective-chart" role="img" aria-label="Objective after each search step" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join("")}</svg>`;
}

function renderSteps(report: SearchReport): string {
  const rows = report.steps
    .map((step) => {
      const what =
        step.phase === "start"
          ? "system prompt alone"
          : step.phase === "greedy"
            ? `added <code>${escapeHtml(step.added ?? "")}</code>`
            : `position ${(step.position ?? 0) + 1}: <code>${escapeHtml(step.removed ?? "")}</code> → <code>${escapeHtml(step.added ?? "")}</code>`;
      const tried = step.candidates.length === 0 ? "–" : `${step.candidates.length} (${step.candidates.filter((entry) => entry.objective === null).length} did not fit)`;
      return `<tr class="step ${step.phase}"><td>${step.phase}</td><td class="number">${step.step}</td><td>${what}</td><td>${step.set.map((id) => `<code>${escapeHtml(id)}</code>`).join(", ") || "–"}</td><td class="number">${escapeHtml(formatObjective(report, step.objective))}</td><td class="number">${tried}</td></tr>`;
    })
    .join("");
  const notes = [
    report.search.shortBecause === "budget" ? `Stopped short of K: no further exemplar fits the prefix budget of ${report.settings.maxPrefixTokens} tokens.` : "",
    report.search.shortBecause === "pool" ? "The pool has fewer than K exemplars." : "",
    report.search.budgetLimited
      ? `The evaluation budget (--max-evaluations ${report.settings.maxEvaluations}) cut the search short: greedy steps tried a seeded sample of the candidates, or swaps stopped early.`
      : "",
  ].filter((note) => note.length > 0);
  return `<table class="steps"><tr><th>phase</th><th class="number">step</th><th>change</th><th>set</th><th class="number">objective</th><th class="number">candidates tried</th></tr>${rows}</table>${notes.map((note) => `<p class="meta">${escapeHtml(note)}</p>`).join("")}<p class="meta">${report.search.scoredAnswers} answers scored, ${report.search.cacheHits} read from the cache (${report.search.resumedEntries} entries resumed from an earlier run); ${report.search.evaluatedTokens} tokens evaluated, ${report.search.reusedTokens} reused from the KV cache.</p>`;
}

function renderPool(report: SearchReport, chosen: ReadonlySet<string>): string {
  const first = report.steps.find((step) => step.phase === "greedy" && step.step === 1);
  const alone = new Map(first?.candidates.map((entry) => [entry.id, entry.objective]) ?? []);
  const rows = [...report.pool]
    .sort((a, b) => (alone.get(a.id) ?? Number.POSITIVE_INFINITY) - (alone.get(b.id) ?? Number.POSITIVE_INFINITY))
    .map(
      (entry) =>
        `<tr class="${chosen.has(entry.id) ? "chosen" : ""}" data-id="${escapeHtml(entry.id)}"><td><code>${escapeHtml(entry.id)}</code></td><td>${entry.source === "chat" ? "chat answer" : "pool"}</td><td>${escapeHtml(entry.query)}</td><td>${entry.styleProblems.length === 0 ? '<span class="badge">URIAL style</span>' : `<span class="badge warn" title="${escapeHtml(entry.styleProblems.join("; "))}">not URIAL style</span>`}</td><td class="number">${entry.prefixTokens}</td><td class="number">${alone.has(entry.id) ? escapeHtml(formatObjective(report, alone.get(entry.id) ?? null)) : "–"}</td></tr>`,
    )
    .join("");
  return `<table class="pool"><tr><th>id</th><th>source</th><th>query</th><th>style</th><th class="number">prefix tokens</th><th class="number">objective alone</th></tr>${rows}</table><p class="meta">Chosen exemplars are highlighted. "Objective alone": the system prompt and this one exemplar (greedy step 1).</p>`;
}

function renderExemplar(report: SearchReport, id: string, index: number): string {
  const entry = report.pool.find((candidate) => candidate.id === id);
  if (!entry) return "";
  return `<article class="exemplar" data-id="${escapeHtml(id)}"><h3>${index + 1}. <code>${escapeHtml(id)}</code>${entry.styleProblems.length > 0 ? ' <span class="badge warn">written with "style": "free"</span>' : ""}</h3><p><b>Query:</b> ${escapeHtml(entry.query)}</p><pre>${escapeHtml(entry.answer)}</pre></article>`;
}

function renderQueries(report: SearchReport): string {
  const { comparison } = report;
  const share = (context: ContextResult, index: number) => formatShare(context.perQuery[index]?.shiftedShare ?? null);
  const rows = report.queries
    .map(
      (query, index) =>
        `<tr data-id="${escapeHtml(query.id)}"><td><code>${escapeHtml(query.id)}</code></td><td>${escapeHtml(query.query)}</td><td class="number">${query.scoredTokens}${query.truncated ? ` <span class="badge warn">cut from ${query.fullTokens}</span>` : ""}</td><td>${query.usedInSearch ? "yes" : "no"}</td><td class="number">${query.informativeness === null ? "–" : query.informativeness.toFixed(3)}</td><td class="number">${share(comparison.zeroShot, index)}</td><td class="number">${comparison.random.map((context) => share(context, index)).join(" / ") || "–"}</td><td class="number">${share(comparison.chosen, index)}</td></tr>`,
    )
    .join("");
  return `<table class="queries"><tr><th>id</th><th>query</th><th class="number">answer tokens</th><th>in search</th><th class="number">informativeness</th><th class="number">zero-shot shifted</th><th class="number">random shifted</th><th class="number">chosen shifted</th></tr>${rows}</table>`;
}
