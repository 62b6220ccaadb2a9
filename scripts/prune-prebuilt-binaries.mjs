#!/usr/bin/env node
// Keeps only the node-llama-cpp prebuilt binaries a container image can load,
// and deletes the rest from node_modules (npm installs every optional one that
// matches the CPU: CUDA 13, the CUDA 12 fallback, Vulkan — ~600 MB an image
// without that runtime can never use). Run in the image's build stage after
// `npm ci` and `npm prune --omit=dev`:
//
//   node scripts/prune-prebuilt-binaries.mjs <cpu|cuda|cuda12> [node_modules]
//
//   cpu     the CPU build for this machine's architecture (linux-x64 or linux-arm64)
//   cuda    the CPU build plus node-llama-cpp's main CUDA build (links CUDA 13:
//           libcudart.so.13, libcublas.so.13), for a CUDA 13 runtime image
//   cuda12  the CPU build, the CUDA build's addon and its CUDA 12 fallback backend
//           (@node-llama-cpp/linux-x64-cuda-ext: libcudart.so.12, libcublas.so.12),
//           for a CUDA 12 runtime image; the CUDA 13 backend is removed
//
// Fails, naming the package, when one the image needs was not installed.
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Packages under node_modules/@node-llama-cpp an image of `kind` keeps, on `arch`. */
export function keptPrebuiltPackages(kind, arch = process.arch) {
  const cpu = `linux-${arch}`;
  if (kind === "cpu") return [cpu];
  if (arch !== "x64") throw new Error(`node-llama-cpp ships CUDA builds for x64 only, not ${arch}`);
  if (kind === "cuda") return [cpu, "linux-x64-cuda"];
  if (kind === "cuda12") return [cpu, "linux-x64-cuda", "linux-x64-cuda-ext"];
  throw new Error(`unknown image kind '${kind}' (cpu, cuda or cuda12)`);
}

/** Files inside the kept packages an image of `kind` cannot load (relative to @node-llama-cpp). */
export function removedPrebuiltFiles(kind) {
  // In a CUDA 12 image the CUDA 13 backend cannot load; node-llama-cpp then loads the fallback.
  return kind === "cuda12" ? ["linux-x64-cuda/bins/linux-x64-cuda/libggml-cuda.so"] : [];
}

/** Deletes every other prebuilt package (and the unloadable files); returns what was removed. */
export function prunePrebuiltBinaries(kind, nodeModules, arch = process.arch) {
  const scope = join(nodeModules, "@node-llama-cpp");
  const kept = keptPrebuiltPackages(kind, arch);
  for (const name of kept) {
    if (!existsSync(join(scope, name))) throw new Error(`@node-llama-cpp/${name} is not installed in ${nodeModules}: the '${kind}' image needs it`);
  }
  const removed = [];
  for (const name of readdirSync(scope)) {
    if (kept.includes(name)) continue;
    rmSync(join(scope, name), { recursive: true, force: true });
    removed.push(`@node-llama-cpp/${name}`);
  }
  for (const file of removedPrebuiltFiles(kind)) {
    rmSync(join(scope, file), { force: true });
    removed.push(`@node-llama-cpp/${file}`);
  }
  return removed;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [kind, nodeModules = "node_modules"] = process.argv.slice(2);
  try {
    const removed = prunePrebuiltBinaries(kind, nodeModules);
    console.log(
      `kept ${keptPrebuiltPackages(kind)
        .map((name) => `@node-llama-cpp/${name}`)
        .join(", ")}; removed ${removed.join(", ") || "nothing"}`,
    );
  } catch (error) {
    console.error(`prune-prebuilt-binaries: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
