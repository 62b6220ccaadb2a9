/**
 * @module cli/apply-config-file
 * Reads `--config FILE` (for `serve` also `URIAL_CONFIG`: see
 * `readsConfigVariable`) for a command and merges it under its flags and
 * variables (`config/config-file` parses and checks; this file does the
 * reading, which the pure config folder may not).
 */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { formatResolvedConfig, givenOptions, parseConfigFile, readsConfigVariable, sourcesOf, type ConfigFileOutcome, type FileOptionTable, type ValueCheck } from "../config/config-file.js";
import type { CommandIo } from "./command-io.js";

type Env = Readonly<Record<string, string | undefined>>;

/** The file's values by table name, or the first problem naming the file and the key. */
export async function loadConfigFile(
  path: string,
  command: string,
  table: FileOptionTable,
  check?: ValueCheck,
): Promise<{ ok: true; values: Record<string, string> } | { ok: false; message: string }> {
  const extension = extname(path).toLowerCase();
  if (![".yaml", ".yml", ".json"].includes(extension)) return { ok: false, message: `--config ${path}: the file must be YAML (.yaml, .yml) or JSON (.json); got '${extension || "no extension"}'.` };
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, message: `--config ${path}: cannot read it (${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : (error as Error).message}).` };
  }
  return parseConfigFile(text, path, command, table, check);
}

/** Reads `--config FILE` (or, for serve, `URIAL_CONFIG`) and merges it under the flags and variables. */
export async function applyConfigFile(command: string, table: FileOptionTable, argv: readonly string[], env: Env, check?: ValueCheck): Promise<ConfigFileOutcome | { ok: false; message: string }> {
  const rest: string[] = [];
  let path: string | undefined;
  let printConfig = false;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (argument === "--") {
      rest.push(...argv.slice(index));
      break;
    }
    if (argument === "--print-config") printConfig = true;
    else if (argument === "--config") {
      path = argv[index + 1];
      if (path === undefined || path.startsWith("-")) return { ok: false, message: `--config needs a file: --config urial.yaml (keys are the long option names of 'urial ${command} --help').` };
      index += 1;
    } else if (argument.startsWith("--config=")) path = argument.slice("--config=".length);
    else rest.push(argument);
  }
  if (readsConfigVariable(command)) path ??= env.URIAL_CONFIG !== undefined && env.URIAL_CONFIG !== "" ? env.URIAL_CONFIG : undefined;
  const given = givenOptions(table, rest, env);
  if (path === undefined) return { ok: true, argv: rest, printConfig, sources: sourcesOf(table, given, new Set(), "") };
  const loaded = await loadConfigFile(path, command, table, check);
  if (!loaded.ok) return loaded;
  const fromFile = new Set<string>();
  for (const [name, value] of Object.entries(loaded.values)) {
    if (given.has(name)) continue;
    const spec = table[name]!;
    fromFile.add(name);
    if (spec.boolean === true) {
      if (value === "true") rest.push(`--${spec.flag}`);
    } else rest.push(`--${spec.flag}=${value}`);
  }
  return { ok: true, argv: rest, printConfig, file: path, sources: sourcesOf(table, given, fromFile, path) };
}

/** What every command's option parser returns. */
type ParsedCommandOptions = { ok: false; message: string } | { ok: true; help: true } | { ok: true; help: boolean; raw?: Readonly<Record<string, string | undefined>> };

export interface CommandOptionsSpec<Parsed extends ParsedCommandOptions> {
  /** As in `urial <command>`, e.g. "exemplars search". */
  command: string;
  table: FileOptionTable;
  check?: ValueCheck;
  parse(argv: readonly string[], env: Env): Parsed;
  help(): string;
}

/**
 * The opening every command with `--config` shares: the file merged under
 * the flags and variables, the options parsed, `--help` and `--print-config`
 * answered. Returns the parsed options to run with, or the exit code when
 * the command is already done (0: help or print-config; 2: bad options).
 */
export async function readCommandOptions<Parsed extends ParsedCommandOptions>(
  spec: CommandOptionsSpec<Parsed>,
  argv: readonly string[],
  env: Env,
  io: CommandIo,
): Promise<(Extract<Parsed, { ok: true }> & { help: false }) | number> {
  const file = await applyConfigFile(spec.command, spec.table, argv, env, spec.check);
  if (!file.ok) {
    io.stderr.write(`urial ${spec.command}: ${file.message}\n`);
    return 2;
  }
  const parsed = spec.parse(file.argv, env);
  if (!parsed.ok) {
    io.stderr.write(`urial ${spec.command}: ${parsed.message}\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(`${spec.help()}\n`);
    return 0;
  }
  if (file.printConfig) {
    io.stdout.write(formatResolvedConfig(spec.command, spec.table, parsed.raw ?? {}, file.sources));
    return 0;
  }
  return parsed as Extract<Parsed, { ok: true }> & { help: false };
}
