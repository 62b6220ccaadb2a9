/**
 * @module bench/measure/parse-eval-timing
 * Reads llama.cpp's per-context "eval time" line (printed by
 * `llama_perf_context_print`, e.g. `eval time = 2633.22 ms / 96 runs (…)`),
 * skipping the "prompt eval time" line beside it.
 */
export function parseEvalTiming(text: string): { ms: number; runs: number } | undefined {
  for (const line of text.split("\n")) {
    if (/prompt eval time/.test(line)) continue;
    const match = /\beval time\s*=\s*([\d.]+)\s*ms\s*\/\s*(\d+)\s*runs/.exec(line);
    if (match) return { ms: Number(match[1]), runs: Number(match[2]) };
  }
  return undefined;
}
