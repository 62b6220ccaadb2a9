/**
 * @module cli/command-io
 * Where every `urial` command writes: stdout for results, stderr for
 * progress and errors. Tests pass their own streams.
 */
export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

/** The process's own streams. */
export const processIo: CommandIo = { stdout: process.stdout, stderr: process.stderr };
