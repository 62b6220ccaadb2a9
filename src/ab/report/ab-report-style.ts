/**
 * @module ab/report/ab-report-style
 * The A/B report page's CSS (inline; the page loads nothing).
 */
export const abReportStyle = `
:root { color-scheme: light; --muted: #666; --line: #ddd; --win: #2e7d32; --loss: #c62828; --tie: #757575; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 16px 20px 48px; color: #222; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta, .muted { color: var(--muted); }
.meta { margin: 4px 0; }
table { border-collapse: collapse; margin: 8px 0; }
.wide { overflow-x: auto; }
#comparisons { font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f6f6; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.aspect-chart .grid { stroke: #eee; }
.aspect-chart .axis, .aspect-chart .value, .aspect-chart .legend { font-size: 11px; fill: #444; }
.aspect-chart .label { font-size: 12px; fill: #222; }
.aspect-chart .label.overall { font-weight: 600; }
.aspect-chart .whisker { stroke: #222; stroke-width: 1.2; fill: none; }
.filter { margin: 12px 0; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.prompt { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; margin: 14px 0; }
.prompt[hidden] { display: none; }
.prompt h3 { font-size: 15px; margin: 0 0 6px; }
.badge { display: inline-block; font-size: 11px; padding: 1px 6px; border-radius: 9px; background: #eee; margin-left: 6px; font-weight: normal; }
.badge.win { background: #e8f5e9; color: var(--win); }
.badge.loss { background: #ffebee; color: var(--loss); }
.badge.tie { background: #f1f1f1; color: var(--tie); }
.badge.fail { background: #fff3e0; color: #e65100; }
.conversation { white-space: pre-wrap; background: #fafafa; border-left: 3px solid #bbb; padding: 6px 10px; margin: 6px 0; }
.answers { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 10px; }
.answer { border: 1px solid var(--line); border-radius: 4px; padding: 8px; min-width: 0; }
.answer h4 { margin: 0 0 4px; font-size: 13px; }
.answer .text { white-space: pre-wrap; overflow-wrap: anywhere; background: #fcfcfc; padding: 6px; border-radius: 3px; max-height: 420px; overflow: auto; }
.answer table { font-size: 12px; width: 100%; }
.pair { margin-top: 8px; font-size: 13px; }
.pair ul { margin: 4px 0; padding-left: 18px; }
.raw { white-space: pre-wrap; font-size: 12px; background: #fff8e1; padding: 4px 6px; max-height: 160px; overflow: auto; }
`;
