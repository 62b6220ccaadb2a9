/**
 * @module shift/report-style
 * The report's inline stylesheet.
 */
import { categoryColours } from "./category-colours.js";
import { contextColours } from "./render-shift-charts.js";

export const reportStyle = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 15px; color: #1d2329; background: #fbfbfa; }
body { margin: 0 auto; max-width: 1180px; padding: 1.2rem 1.5rem 24rem; }
h1 { font-size: 1.5rem; margin: 0 0 .4rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 0 0 .3rem; }
h4 { font-size: .9rem; margin: 0 0 .4rem; color: #555; }
.summary { font-size: 1.05rem; font-weight: 600; background: #eef3f8; border-left: 4px solid ${contextColours.zeroShot}; padding: .6rem .8rem; margin: .6rem 0; }
.meta, .muted { color: #666; font-size: .85rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure { margin: 0; }
figcaption { font-size: .85rem; color: #444; margin-bottom: .3rem; }
svg.chart text { font-size: 11px; fill: #333; }
svg.chart text.in-bar { fill: #1d2329; font-weight: 600; }
svg.chart .axis { stroke: #888; }
svg.chart .grid { stroke: #e6e6e6; }
table { border-collapse: collapse; font-size: .85rem; }
th, td { text-align: left; padding: .15rem .5rem; border-bottom: 1px solid #eee; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
.top-shifted { display: flex; flex-wrap: wrap; gap: 2rem; }
article.prompt { margin: 1.2rem 0; padding: .8rem; background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; }
.query { white-space: pre-wrap; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.tokens { white-space: pre-wrap; word-break: break-word; line-height: 1.65; font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .85rem; }
.t { cursor: pointer; border-radius: 2px; }
.t.unshifted { background: transparent; }
.t.marginal { background: ${categoryColours.marginal}; }
.t.shifted { background: ${categoryColours.shifted}; color: #fff; }
.t.special { outline: 1px dashed #999; }
.t.twin, .t:hover { box-shadow: 0 0 0 2px ${contextColours.zeroShot}; }
.t.selected { box-shadow: 0 0 0 2px #111; }
.badge { display: inline-block; font-size: .75rem; padding: 0 .4rem; border-radius: 3px; background: #eee; margin-left: .3rem; }
.badge.warn { background: ${categoryColours.marginal}; }
.legend span { margin-right: .8rem; }
#details { position: fixed; right: 1rem; bottom: 1rem; width: min(34rem, 92vw); max-height: 70vh; overflow: auto; background: #fff; border: 1px solid #bbb; border-radius: 6px; box-shadow: 0 4px 18px rgba(0,0,0,.18); padding: .7rem .9rem; }
#details[hidden] { display: none; }
#details table { width: 100%; margin: .2rem 0 .7rem; }
#details caption { text-align: left; font-weight: 600; padding: .2rem 0; }
#details tr.answer td { background: #fff3c4; font-weight: 600; }
#details .close { float: right; border: 0; background: none; font-size: 1.1rem; cursor: pointer; }
`;
