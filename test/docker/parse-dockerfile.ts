/**
 * @module test/docker/parse-dockerfile
 * A Dockerfile read into stages and instructions (comments dropped, `\`
 * continuations joined, exec-form JSON arrays parsed): enough to check what a
 * Dockerfile runs without Docker.
 */

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  args: string;
  /** The arguments of an exec-form instruction (`["node", "x.js"]`), else undefined. */
  exec?: string[];
  line: number;
}

export interface Stage {
  image: string;
  alias?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index += 1) {
    const start = index;
    let line = lines[index]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && index + 1 < lines.length) {
      index += 1;
      const next = lines[index]!;
      if (/^\s*#/.test(next)) continue;
      line = `${line.replace(/\s*\\\s*$/, "")} ${next.trim()}`;
    }
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`line ${start + 1}: not an instruction: ${line}`);
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!.trim();
    let exec: string[] | undefined;
    const json = /^(?:--\S+\s+)*(\[.*\])$/.exec(keyword === "HEALTHCHECK" ? args.replace(/^.*?\bCMD\s+/, "") : args);
    if (json) {
      try {
        const parsed = JSON.parse(json[1]!) as unknown;
        if (Array.isArray(parsed) && parsed.every((item) => typeof item === "string")) exec = parsed;
      } catch {
        // Shell form that happens to start with "[": leave it as text.
      }
    }
    if (keyword === "FROM") {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`line ${start + 1}: bad FROM`);
      stages.push({ image: from[1]!, ...(from[2] ? { alias: from[2] } : {}), instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) throw new Error(`line ${start + 1}: ${keyword} before FROM`);
    stage.instructions.push({ keyword, args, ...(exec ? { exec } : {}), line: start + 1 });
  }
  return stages;
}

/** The `KEY=value` pairs of ENV instructions in a stage (also the old `ENV KEY value` form). */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions.filter((item) => item.keyword === "ENV")) {
    if (!instruction.args.includes("=")) {
      const [key, ...value] = instruction.args.split(/\s+/);
      env[key!] = value.join(" ");
      continue;
    }
    for (const pair of instruction.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) env[pair[1]!] = pair[2]!.replace(/^"|"$/g, "");
  }
  return env;
}
