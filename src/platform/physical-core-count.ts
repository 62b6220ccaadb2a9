/**
 * @module platform/physical-core-count
 * The number of physical cores this process may use. llama.cpp gains nothing
 * from hyper-threads and loses a lot when threads outnumber cores (on a
 * 2-core machine node-llama-cpp's own default of 4 threads is ~1000× slower).
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** Counts distinct (physical id, core id) pairs in a /proc/cpuinfo text; undefined if it has none. */
export function countPhysicalCores(cpuinfo: string): number | undefined {
  const cores = new Set<string>();
  for (const block of cpuinfo.split(/\n\s*\n/)) {
    const physical = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (physical !== undefined && core !== undefined) cores.add(`${physical}:${core}`);
  }
  return cores.size > 0 ? cores.size : undefined;
}

/** Physical cores, capped by the CPUs this process is allowed to run on. */
export function physicalCoreCount(): number {
  const allowed = availableParallelism();
  let physical: number | undefined;
  try {
    physical = countPhysicalCores(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    physical = undefined;
  }
  return Math.max(1, Math.min(allowed, physical ?? allowed));
}
