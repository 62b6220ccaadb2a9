/**
 * @module config/config-file
 * `--config FILE` for `serve`, `ab`, `chat`, `shift`, `generate` and
 * `exemplars search` (and
 * `URIAL_CONFIG` for `serve`; read by `cli/apply-config-file`; everything
 * here is pure):
 * a YAML or JSON file whose keys are the command's long option names, read
 * with one rule — a flag wins over its `URIAL_*` variable, which wins over
 * the file, which wins over the default. The file is checked whole before
 * anything starts: an unknown key (with a "did you mean"), a value that is
 * not a single value (or a list, for a repeatable option), and a value the
 * option's own parser refuses are each reported naming the file, the key and
 * the problem. Values from the file are handed to the command's reader as
 * flags it was not given, so the command's parsing stays the one place that
 * turns text into typed settings.
 *
 * YAML via the `yaml` package (eemeli/yaml: no dependencies, YAML 1.2, whose
 * JSON compatibility means one parser reads both formats, with line and
 * column in every syntax error).
 */
import { dirname, extname, isAbsolute, resolve } from "node:path";
import { isMap, isScalar, isSeq, parseDocument, stringify } from "yaml";
import { didYouMean } from "./did-you-mean.js";

/** What the config file needs to know of an option (a subset of every command's option table entry). */
export interface FileOption {
  flag: string;
  short?: string;
  env?: string;
  /** Shown in --print-config for an option left to its default. */
  default?: string;
  multiple?: boolean;
  boolean?: boolean;
  secret?: boolean;
  /** What the value looks like in help: `FILE`, `DIR` and `PATH` values in a file are relative to the file's folder. */
  value?: string;
  /** A path whatever `value` shows (`SET.json`): relative to the file's folder too. */
  path?: boolean;
}

export type FileOptionTable = Readonly<Record<string, FileOption>>;
type Env = Readonly<Record<string, string | undefined>>;

/** Where a resolved value came from. */
export type ValueSource = { from: "flag" } | { from: "env"; name: string } | { from: "file"; path: string } | { from: "default" };

export interface ConfigFileOutcome {
  ok: true;
  /** The arguments with `--config`/`--print-config` taken out and the file's values added as flags. */
  argv: string[];
  /** `--print-config` was given. */
  printConfig: boolean;
  /** The file read, if any. */
  file?: string;
  /** Where each option's value comes from (by table name). */
  sources: Record<string, ValueSource>;
}

/** Checks one value with the option's own parser; returns the problem, or undefined when it is fine. */
export type ValueCheck = (name: string, value: string) => string | undefined;

/**
 * The values of a config file's text by table name, as the text a flag would
 * carry; or the first problem, naming the file (`path`) and the key. Pure:
 * the caller reads the file.
 */
export function parseConfigFile(
  text: string,
  path: string,
  command: string,
  table: FileOptionTable,
  check?: ValueCheck,
): { ok: true; values: Record<string, string> } | { ok: false; message: string } {
  const fail = (message: string) => ({ ok: false as const, message: `${path}: ${message}` });
  const extension = extname(path).toLowerCase();
  if (extension === ".json") {
    // YAML would forgive a trailing comma or a comment; a .json file should be JSON.
    try {
      JSON.parse(text);
    } catch (error) {
      return { ok: false, message: `${path}: ${(error as Error).message} (JSON syntax).` };
    }
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const syntax = document.errors[0];
  if (syntax !== undefined) {
    const at = syntax.linePos?.[0];
    const problem = syntax.message.split("\n")[0]!.replace(/ at line \d+, column \d+:$/, "");
    return { ok: false, message: `${path}${at ? `:${at.line}:${at.col}` : ""}: ${problem} (${extension === ".json" ? "JSON" : "YAML"} syntax).` };
  }
  const root = document.contents;
  if (root === null || root === undefined) return { ok: true, values: {} };
  if (!isMap(root)) return fail(`must be a mapping of option names to values, such as 'port: 8080'.`);
  const byFlag = new Map(Object.entries(table).map(([name, spec]) => [spec.flag, name]));
  const values: Record<string, string> = {};
  for (const item of root.items) {
    const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
    const name = byFlag.get(key);
    if (name === undefined) {
      const hint = didYouMean(
        key.replace(/_/g, "-").replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`),
        [...byFlag.keys()],
        { prefixes: false },
      );
      const why = key === "config" ? " (a config file cannot name another)" : "";
      return fail(`unknown key '${key}'${why}.${hint !== undefined ? ` Did you mean '${hint}'?` : ""} Keys are the long option names of 'urial ${command} --help'.`);
    }
    const spec = table[name]!;
    const node = item.value;
    let value: string;
    if (isSeq(node)) {
      if (spec.multiple !== true) return fail(`key '${key}' takes one value, not a list.`);
      const entries = node.items.map((entry) => (isScalar(entry) && entry.value !== null && typeof entry.value !== "object" ? String(entry.value) : undefined));
      if (entries.some((entry) => entry === undefined)) return fail(`key '${key}' must be a list of single values.`);
      value = entries.join(",");
    } else if (isScalar(node)) {
      if (node.value === null || node.value === undefined) return fail(`key '${key}' has no value; give one or remove the key.`);
      value = String(node.value);
    } else if (node === null || node === undefined) {
      return fail(`key '${key}' has no value; give one or remove the key.`);
    } else return fail(`key '${key}' must be a single value${spec.multiple === true ? " or a list" : ""}, not a mapping.`);
    if (spec.boolean === true && value !== "true" && value !== "false") return fail(`key '${key}' must be true or false; got '${value}'.`);
    const problem = spec.boolean === true ? undefined : check?.(name, value);
    if (problem !== undefined) return fail(`key '${key}' ${problem}; got ${spec.secret === true ? `a value of ${value.length} characters (not shown)` : `'${value}'`}.`);
    values[name] = relativeToFile(spec, value, dirname(resolve(path)));
  }
  return { ok: true, values };
}

/**
 * A path in a config file means the same wherever the command runs: relative
 * to the file's folder (FILE, DIR, PATH values and options marked `path`, a MODEL or NAME|PATH
 * written as ./… or ../…, and the file of a TEXT|@FILE value written as
 * @…; a cached model's name, an hf: URI or a text stays as it is).
 */
function relativeToFile(spec: FileOption, value: string, folder: string): string {
  const kinds = (spec.value ?? "").split("|");
  if (kinds.includes("@FILE") && value.startsWith("@")) return `@${resolve(folder, value.slice(1))}`;
  const onlyPath = spec.path === true || (kinds.length === 1 && ["FILE", "DIR", "PATH"].includes(kinds[0]!));
  // MODEL, NAME|PATH and the like may be names too: a path only when written ./… or ../…
  const writtenAsPath = kinds.some((kind) => ["MODEL", "FILE", "PATH"].includes(kind)) && /^\.\.?\//.test(value);
  const pathLike = onlyPath || writtenAsPath;
  if (!pathLike || isAbsolute(value) || /^[a-z]+:/i.test(value)) return value;
  return resolve(folder, value);
}

/**
 * The resolved options as a YAML config file, each line saying where its
 * value came from; options left to their default are comments. Secrets are
 * never shown. Pasting it into a file gives the same settings back.
 */
export function formatResolvedConfig(command: string, table: FileOptionTable, raw: Readonly<Record<string, string | undefined>>, sources: Readonly<Record<string, ValueSource>>): string {
  const lines = [`# urial ${command}: resolved options (a flag wins over its variable, which wins over --config, which wins over the default)`];
  for (const [name, spec] of Object.entries(table)) {
    const value = raw[name];
    const source = sources[name] ?? { from: "default" };
    if (value === undefined) {
      lines.push(`# ${spec.flag}:${spec.default ? ` (default: ${spec.default})` : " (not set)"}`);
      continue;
    }
    const count = value.split(",").length;
    const shown =
      spec.secret === true
        ? `"<${spec.multiple === true ? `${count} value${count === 1 ? "" : "s"}` : `${value.length} characters`}, not shown>"`
        : yamlScalar(spec.multiple === true && value.includes(",") ? value.split(",") : value);
    const where = source.from === "flag" ? `flag --${spec.flag}` : source.from === "env" ? `env ${source.name}` : source.from === "file" ? `file ${source.path}` : "default";
    lines.push(`${spec.flag}: ${shown}  # ${where}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A value as YAML: numbers and on/off words stay bare where YAML reads them back the same. */
function yamlScalar(value: string | string[]): string {
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value) && String(Number(value)) === value) return value;
  return stringify(value, { lineWidth: 0, flowCollectionPadding: false, collectionStyle: "flow" }).trimEnd();
}

/**
 * Whether `URIAL_CONFIG` names the command's file as well as `--config`:
 * only `urial serve`'s. The variable names a server's file (in a unit file,
 * a container), whose keys (port, host…) the other commands do not take, so
 * they read only the flag.
 */
export function readsConfigVariable(command: string): boolean {
  return command === "serve";
}

/**
 * The head of the options part of a command's help: the precedence rule and
 * the `--config FILE` / `--print-config` entries, in the layout of
 * `formatOptionsHelp`; `example` is a line of such a file.
 */
export function configFileHelp(command: string, example: string): string[] {
  const variable = readsConfigVariable(command);
  return [
    "Options (each can also be set with its environment variable, or as a key of a --config file;",
    "a flag wins over its variable, which wins over the file, which wins over the default):",
    variable ? `${"  --config FILE".padEnd(34)}URIAL_CONFIG` : "  --config FILE",
    `      a YAML or JSON file of options, keys as the long option names (e.g. '${example}')${variable ? "" : "; URIAL_CONFIG is serve's and is not read here"}`,
    "  --print-config",
    "      print the resolved options as a config file, each with where its value came from, and exit",
  ];
}

/** The options given as a flag or a (non-empty) variable. */
export function givenOptions(table: FileOptionTable, argv: readonly string[], env: Env): Map<string, ValueSource> {
  const given = new Map<string, ValueSource>();
  for (const [name, spec] of Object.entries(table)) {
    const names = [`--${spec.flag}`, ...(spec.short !== undefined ? [`-${spec.short}`] : [])];
    if (argv.some((argument) => names.includes(argument) || argument.startsWith(`--${spec.flag}=`))) {
      given.set(name, { from: "flag" });
    } else if (spec.env !== undefined && env[spec.env] !== undefined && env[spec.env] !== "") given.set(name, { from: "env", name: spec.env });
  }
  return given;
}

export function sourcesOf(table: FileOptionTable, given: Map<string, ValueSource>, fromFile: Set<string>, path: string): Record<string, ValueSource> {
  return Object.fromEntries(Object.keys(table).map((name) => [name, given.get(name) ?? (fromFile.has(name) ? { from: "file", path } : { from: "default" })]));
}
