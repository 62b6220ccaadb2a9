// Types of prune-prebuilt-binaries.mjs (a plain script, run by the Dockerfiles without a build).
export type ImageKind = "cpu" | "cuda" | "cuda12";
export function keptPrebuiltPackages(kind: ImageKind, arch?: string): string[];
export function removedPrebuiltFiles(kind: ImageKind): string[];
export function prunePrebuiltBinaries(kind: ImageKind, nodeModules: string, arch?: string): string[];
