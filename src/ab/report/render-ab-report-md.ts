/**
 * @module ab/report/render-ab-report-md
 * `report.md`: the run's numbers as Markdown tables, for a pull request or a
 * wiki. Pure.
 */
import type { AbResults } from "../offline/ab-results.js";
import { describeJudge, formatMeanInterval, formatPercentInterval } from "./format-ab.js";
import { judgeAspects } from "../judge/judge-aspects.js";

/** Renders the whole Markdown report. */
export function renderAbReportMarkdown(results: AbResults): string {
  const { summary, settings } = results;
  const variants = summary.variants.map((variant) => variant.variant);
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines: string[] = [
    `# A/B report: ${variants.slice(1).join(", ")} vs ${variants[0]}`,
    "",
    `Judged by ${describeJudge(results.judge)} (judge prompt ${results.judge.promptVersion}). Answers by \`${results.model.path}\` through the URIAL server pipeline. Suite \`${settings.suite}\`: ${results.prompts.length} prompts × ${settings.samples} sample${settings.samples === 1 ? "" : "s"}, seed ${settings.seed}, temperature ${settings.temperature}, at most ${settings.maxTokens} tokens. Intervals are 95 % percentile-bootstrap intervals over prompts (${settings.bootstrap.resamples} resamples, seed ${settings.bootstrap.seed}). ${results.createdAt}.`,
    "",
    "## Pairwise: each candidate against the baseline",
    "",
    "Each pair is judged twice, the answers swapped; the pair's preference is the mean of the two orders (1 win, ½ tie, 0 loss), a win when it is above ½, a loss below. The win rate is the mean preference (a tie counts half). The length-controlled win rate is the win rate a logistic fit of preference on the (normalised) length difference predicts at equal length (AlpacaEval 2).",
    "",
    "| candidate | pairs | win | tie | loss | win rate | length-controlled | order agreement | failed / skipped |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...summary.comparisons.map(
      (comparison) =>
        `| ${cell(comparison.candidate)} | ${comparison.pairs} | ${comparison.wins} (${formatPercentInterval(comparison.winShare)}) | ${comparison.ties} (${formatPercentInterval(comparison.tieShare)}) | ${comparison.losses} (${formatPercentInterval(comparison.lossShare)}) | ${formatPercentInterval(comparison.winRate)} | ${formatPercentInterval(comparison.lengthControlled.winRate)} | ${comparison.orderAgreement === null ? "–" : `${(comparison.orderAgreement * 100).toFixed(1)} %`} | ${comparison.failedPairs} / ${comparison.skippedPairs} |`,
    ),
    "",
    "## Variants",
    "",
    "| variant | answers | errors | length (chars) | tokens | refusal rate | clean endings | overall score (1–5) | unreadable scores |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...summary.variants.map(
      (variant) =>
        `| ${cell(variant.variant)} | ${variant.answers} | ${variant.errors} | ${formatMeanInterval(variant.length, 0)} | ${formatMeanInterval(variant.completionTokens, 1)} | ${formatPercentInterval(variant.refusalRate)} | ${formatPercentInterval(variant.cleanEndingRate)} | ${formatMeanInterval(variant.aspects.overall)} | ${variant.scoreFailures} |`,
    ),
    "",
    "## Aspect scores (mean 1–5)",
    "",
    `| aspect | ${variants.map(cell).join(" | ")} |`,
    `|---|${variants.map(() => "---:").join("|")}|`,
    ...[...judgeAspects, "overall" as const].map((aspect) => `| ${aspect} | ${summary.variants.map((variant) => formatMeanInterval(variant.aspects[aspect])).join(" | ")} |`),
    "",
  ];
  if (summary.comparisons.length > 0) {
    lines.push(
      "## Win rate by category",
      "",
      `| category | ${summary.comparisons.map((comparison) => cell(comparison.candidate)).join(" | ")} |`,
      `|---|${summary.comparisons.map(() => "---:").join("|")}|`,
    );
    for (const { category } of summary.comparisons[0]!.byCategory) {
      lines.push(
        `| ${cell(category)} | ${summary.comparisons
          .map((comparison) => {
            const entry = comparison.byCategory.find((each) => each.category === category);
            return entry === undefined ? "–" : `${formatPercentInterval(entry.winRate)} (${entry.pairs})`;
          })
          .join(" | ")} |`,
      );
    }
    lines.push("");
  }
  const failures = summary.failures;
  lines.push(
    "## Judge failures",
    "",
    `Counted, never dropped: ${failures.scores} aspect-score judgements and ${failures.pairOrders} pairwise orders could not be read after ${settings.judgeRetries} ${settings.judgeRetries === 1 ? "retry" : "retries"}, so they are left out of the statistics above (a pair needs both orders); ${failures.retried} replies were read only on a retry. Answers the server could not give: ${failures.generation}.`,
    "",
  );
  const ranked = results.informative.filter((entry) => entry.informativeness !== null);
  if (ranked.length > 0) {
    const shown = settings.informative ?? 10;
    lines.push(
      `## Most informative prompts${settings.informative === null ? " (top 10)" : ""}`,
      "",
      "Gap between the best and the worst variant's mean judged score, minus the spread between samples of one variant.",
      "",
      "| prompt | category | informativeness |",
      "|---|---|---:|",
      ...ranked.slice(0, shown).map((entry) => `| ${cell(entry.id)} | ${cell(entry.category)} | ${entry.informativeness!.toFixed(2)} |`),
      "",
    );
  }
  return `${lines.join("\n")}`;
}
