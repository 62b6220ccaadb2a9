/**
 * @module config/read-options
 * The one option layer of every `urial` command. A command describes its
 * options in a table (`OptionSpec`: long flag, optional short flag, `URIAL_*`
 * variable, default computed from the environment passed in, help text) and
 * a zod schema (the parsers); `parseOptions` reads them with one rule — a
 * flag wins over its variable (an empty variable counts as unset), which
 * wins over the default — and reports every problem naming the flag, the
 * variable and the rule. An unknown flag gets a "did you mean". The help
 * text of every command comes from `formatOptionsHelp`.
 *
 * Built on node:util's parseArgs rather than a CLI library: the layer's work
 * is the table (variables, computed defaults, zod validation, secrets),
 * which a library such as commander would not do for us, and parseArgs
 * covers the flag syntax with no dependency.
 */
import { parseArgs } from "node:util";
import type { z } from "zod";
import { didYouMean } from "./did-you-mean.js";

export type Env = Readonly<Record<string, string | undefined>>;

export interface OptionSpec {
  /** The long flag, without `--`. */
  flag: string;
  /** A one-letter short flag, without `-`. */
  short?: string;
  /** The environment variable, if the option has one. */
  env?: string;
  /** What the value looks like in help (`N`, `DIR`); "" for a switch. */
  value: string;
  description: string;
  /** The default as help shows it. */
  default?: string;
  /** The default value itself, or how to compute it from the environment passed in. Undefined: no value. */
  defaultValue?: string | ((env: Env) => string | undefined);
  /** The flag may be given several times; its variable takes a comma-separated list. */
  multiple?: boolean;
  /** The value is a secret: error messages never show it. */
  secret?: boolean;
  /** Must be given (as the flag or its variable). */
  required?: boolean;
  /** A switch without a value (`--json`); reads as "true" when given. */
  boolean?: boolean;
  /** The value is a path even though `value` does not say FILE, DIR or PATH (`SET.json`): in a config file it is relative to the file. */
  path?: boolean;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

export type ParsedOptions<Config> =
  { ok: true; help: true } | { ok: true; help: false; config: Config; positionals: string[]; raw: Record<string, string | undefined> } | { ok: false; message: string };

export interface ParseOptionsSettings {
  /** Positional arguments the command takes (a subcommand, names). Defaults to none. */
  positionals?: boolean;
}

/** The raw values (flag > variable > default), before validation. */
export function readOptionValues(
  command: string,
  table: OptionTable,
  argv: readonly string[],
  env: Env,
  settings: ParseOptionsSettings = {},
): ParsedOptions<never> | { ok: true; help: false; raw: Record<string, string | undefined>; positionals: string[] } {
  const specs = Object.entries(table);
  const unknown = unknownFlag(
    argv,
    specs.map(([, spec]) => spec),
  );
  if (unknown !== undefined) {
    const hint = didYouMean(unknown.replace(/^-+/, "").split("=")[0]!, [...specs.map(([, spec]) => spec.flag), "help"]);
    return { ok: false, message: `unknown option '${unknown.split("=")[0]}'.${hint ? ` Did you mean '--${hint}'?` : ""} Run 'urial ${command} --help' for the options.` };
  }
  let parsed: { values: Record<string, string | string[] | boolean | boolean[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(
          specs.map(([, spec]) => [
            spec.flag,
            { type: spec.boolean === true ? ("boolean" as const) : ("string" as const), multiple: spec.multiple === true, ...(spec.short !== undefined ? { short: spec.short } : {}) },
          ]),
        ),
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: settings.positionals === true,
      strict: true,
    });
  } catch (error) {
    return { ok: false, message: `${error instanceof Error ? error.message : String(error)}. Run 'urial ${command} --help' for the options.` };
  }
  const values = parsed.values;
  if (values.help === true) return { ok: true, help: true };
  const raw: Record<string, string | undefined> = {};
  for (const [name, spec] of specs) {
    const given = values[spec.flag];
    const fromFlag = Array.isArray(given) ? given.join(",") : typeof given === "boolean" ? String(given) : given;
    const fromEnv = spec.env === undefined ? undefined : env[spec.env];
    const fallback = typeof spec.defaultValue === "function" ? spec.defaultValue(env) : spec.defaultValue;
    raw[name] = typeof fromFlag === "string" ? fromFlag : fromEnv !== undefined && fromEnv !== "" ? fromEnv : fallback;
  }
  return { ok: true, help: false, raw, positionals: parsed.positionals };
}

/** Reads and validates a command's options: `schema` parses the raw values into the typed config. */
export function parseOptions<Schema extends z.ZodType>(
  command: string,
  table: OptionTable,
  schema: Schema,
  argv: readonly string[],
  env: Env,
  settings: ParseOptionsSettings = {},
): ParsedOptions<z.output<Schema>> {
  const read = readOptionValues(command, table, argv, env, settings);
  if (!read.ok || read.help) return read;
  return validateOptions(command, table, schema, read.raw, read.positionals);
}

/** Validates raw values read by `readOptionValues` (for commands that adjust them first). */
export function validateOptions<Schema extends z.ZodType>(
  command: string,
  table: OptionTable,
  schema: Schema,
  raw: Record<string, string | undefined>,
  positionals: string[] = [],
): ParsedOptions<z.output<Schema>> {
  const missing = Object.entries(table).filter(([name, spec]) => spec.required === true && raw[name] === undefined);
  if (missing.length > 0) {
    const named = missing.map(([, spec]) => `--${spec.flag} ${spec.value}${spec.env ? ` (or set ${spec.env})` : ""}`);
    const list = named.length === 1 ? `${named[0]} is required` : `${named.slice(0, -1).join(", ")} and ${named.at(-1)} are required`;
    return { ok: false, message: `${list}. Run 'urial ${command} --help' for the options.` };
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0]);
    const spec = table[name];
    if (spec === undefined) return { ok: false, message: `${name} ${issue.message}.` };
    const got = spec.secret === true ? `a value of ${raw[name]?.length ?? 0} characters (not shown)` : `'${raw[name]}'`;
    return { ok: false, message: `--${spec.flag}${spec.env ? ` (or ${spec.env})` : ""} ${issue.message}; got ${got}.` };
  }
  return { ok: true, help: false, config: result.data, positionals, raw };
}

/**
 * Checks one option's value as `schema` (a command's config schema) would:
 * what a `--config` file's values go through before they are used. The
 * message of the first problem, or undefined when the value passes (or the
 * schema has no such field).
 */
export function checkOptionValue(schema: z.ZodObject, name: string, value: string): string | undefined {
  const field = (schema.shape as Record<string, z.ZodType | undefined>)[name];
  const result = field?.safeParse(value);
  return result !== undefined && !result.success ? result.error.issues[0]!.message : undefined;
}

/** The options part of a command's help: one entry per option, with its variable and default. */
export function formatOptionsHelp(table: OptionTable): string[] {
  const lines: string[] = [];
  for (const spec of Object.values(table)) {
    const flag = `${spec.short !== undefined ? `-${spec.short}, ` : ""}--${spec.flag}${spec.value ? ` ${spec.value}` : ""}`;
    lines.push(`  ${flag}`.padEnd(34) + (spec.env ?? ""));
    lines.push(`      ${spec.description}${spec.default ? ` (default: ${spec.default})` : ""}${spec.required ? " (required)" : ""}`);
  }
  lines.push("  -h, --help                      show this help");
  return lines;
}

/** The first argument that looks like a flag but is none of `specs` (nor -h/--help); undefined when all are known. */
function unknownFlag(argv: readonly string[], specs: readonly OptionSpec[]): string | undefined {
  const known = new Set(["--help", "-h", ...specs.flatMap((spec) => [`--${spec.flag}`, ...(spec.short !== undefined ? [`-${spec.short}`] : [])])]);
  const takesValue = new Set(specs.filter((spec) => spec.boolean !== true).flatMap((spec) => [`--${spec.flag}`, ...(spec.short !== undefined ? [`-${spec.short}`] : [])]));
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (argument === "--") return undefined;
    if (!argument.startsWith("-") || argument === "-") continue;
    const name = argument.split("=")[0]!;
    if (!known.has(name)) return argument.startsWith("--") ? name : undefined;
    if (takesValue.has(name) && !argument.includes("=")) index += 1;
  }
  return undefined;
}
