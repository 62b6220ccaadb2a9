#!/usr/bin/env node
/**
 * @module cli/urial
 * The `urial` command: dispatches to its subcommands.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../platform/package-root.js";
import { didYouMean } from "../config/did-you-mean.js";
import { runAbCommand } from "./ab-command.js";
import { runChatCommand } from "./chat-command.js";
import { runExemplarsCommand } from "./exemplars-command.js";
import { runGenerateCommand } from "./generate-command.js";
import { runModelsCommand } from "./models-command.js";
import { runPullCommand } from "./pull-command.js";
import { runServeCommand } from "./serve-command.js";
import { runShiftCommand } from "./shift-command.js";

const commands = ["serve", "exemplars", "generate", "shift", "ab", "pull", "models"];

const help = `Usage: urial <command> [options]

Commands:
  serve       serve a base GGUF model through the URIAL prompt on an OpenAI-compatible API
  chat        chat in the terminal with a model file (--model) or a running server (--url)
  exemplars   list, lint and show the exemplar sets; search a pool for the set that closes the most shift
  generate    answer a suite of queries with an exemplar set into an SFT dataset (JSONL)
  shift       token distribution shift between a base model and its chat twin, zero-shot vs URIAL
  ab          offline A/B test of exemplar sets with a judge model (also 'ab evolve', 'ab calibrate')
  pull        download a GGUF (hf:<user>/<repo>/<file>.gguf, hf:<user>/<repo>:<quant>, https URL) into the models cache
  models      list the models cache; 'urial models rm NAME' removes one

Run 'urial <command> --help' for a command's options.
  -h, --help       show this help
  -v, --version    show the version`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return runServeCommand(rest, process.env);
    case "chat":
      return runChatCommand(rest, process.env);
    case "exemplars":
      return runExemplarsCommand(rest, process.env);
    case "generate":
      return runGenerateCommand(rest, process.env);
    case "shift":
      return runShiftCommand(rest, process.env);
    case "ab":
      return runAbCommand(rest, process.env);
    case "pull":
      return runPullCommand(rest, process.env);
    case "models":
      return runModelsCommand(rest, process.env);
    case undefined:
    case "help":
    case "-h":
    case "--help":
      process.stdout.write(`${help}\n`);
      return command === undefined ? 2 : 0;
    case "-v":
    case "--version": {
      const version = (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
      process.stdout.write(`${version}\n`);
      return 0;
    }
    default:
      {
        const hint = didYouMean(command, commands);
        process.stderr.write(`urial: unknown command '${command}'.${hint ? ` Did you mean '${hint}'?` : ""} Run 'urial --help' for the commands.\n`);
      }
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`urial: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
