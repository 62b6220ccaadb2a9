/**
 * @module config/read-option-values
 * The one rule every `urial` command uses to read its options: a flag wins
 * over its `URIAL_*` variable (an empty variable counts as unset), which wins
 * over the default. A repeatable flag given several times is read as its
 * variable would be: one comma-separated list. Validation is the caller's.
 */
import { parseArgs } from "node:util";

export interface OptionSource {
  flag: string;
  /** The environment variable, if the option has one. */
  env?: string;
  /** The flag may be given several times. */
  multiple?: boolean;
  /** A one-letter short flag (`-m`), without the dash. */
  short?: string;
}

export type OptionValues =
  | { ok: true; help: true }
  | { ok: true; help: false; raw: Record<string, string | undefined> }
  | { ok: false; message: string };

export function readOptionValues(
  command: string,
  options: Readonly<Record<string, OptionSource>>,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  defaults: Readonly<Record<string, string | undefined>>,
): OptionValues {
  const specs = Object.entries(options);
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(specs.map(([, spec]) => [spec.flag, { type: "string" as const, multiple: spec.multiple === true, ...(spec.short !== undefined ? { short: spec.short } : {}) }])),
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (error) {
    return { ok: false, message: `${error instanceof Error ? error.message : String(error)}. Run 'urial ${command} --help' for the options.` };
  }
  if (values.help === true) return { ok: true, help: true };
  const raw: Record<string, string | undefined> = {};
  for (const [name, spec] of specs) {
    const given = values[spec.flag];
    const fromFlag = Array.isArray(given) ? given.join(",") : given;
    const fromEnv = spec.env === undefined ? undefined : env[spec.env];
    raw[name] = typeof fromFlag === "string" ? fromFlag : fromEnv !== undefined && fromEnv !== "" ? fromEnv : defaults[name];
  }
  return { ok: true, help: false, raw };
}
