/**
 * What each image keeps of node-llama-cpp's prebuilt binaries, checked
 * without Docker: the prune script run on a copy of the package layout, and,
 * with `readelf`, the CUDA libraries the kept binaries link against, whose
 * major version must be the CUDA version of the image's base (a CUDA 13
 * binary on a CUDA 12 runtime never loads). The CPU image's binaries link no
 * GPU runtime at all. Skipped, visibly, without readelf or the binaries.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { keptPrebuiltPackages, prunePrebuiltBinaries, removedPrebuiltFiles, type ImageKind } from "../../scripts/prune-prebuilt-binaries.mjs";
import { parseDockerfile } from "./parse-dockerfile.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const scope = join(root, "node_modules", "@node-llama-cpp");
const images: { file: string; kind: ImageKind }[] = [
  { file: "Dockerfile", kind: "cpu" },
  { file: "Dockerfile.cuda", kind: "cuda" },
  { file: "Dockerfile.cuda12", kind: "cuda12" },
];

const readelf = (() => {
  try {
    execFileSync("readelf", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const binariesPresent = existsSync(join(scope, "linux-x64-cuda")) && existsSync(join(scope, "linux-x64-cuda-ext")) && process.arch === "x64";

/** Every shared object and addon under `dir`. */
function binariesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => join(dir, name))
    .filter((path) => /\.(so|node)$/.test(path) && statSync(path).isFile());
}

/** The GPU runtime libraries (`libcudart.so.13` …) a binary links against. */
function gpuLibraries(path: string): string[] {
  const dynamic = execFileSync("readelf", ["-d", path], { encoding: "utf8" });
  return [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[((?:libcudart|libcublas|libcublasLt|libnvrtc|libvulkan)\.so\.\d+)\]/g)].map((match) => match[1]!);
}

/** The CUDA major version of a Dockerfile's final base image (`nvidia/cuda:13.0.2-runtime-…` → 13), else undefined. */
function baseCudaMajor(file: string): number | undefined {
  const stages = parseDockerfile(readFileSync(join(root, file), "utf8"));
  const match = /^nvidia\/cuda:(\d+)\.\d+(?:\.\d+)?-runtime-/.exec(stages.at(-1)!.image);
  return match ? Number(match[1]) : undefined;
}

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe("prune-prebuilt-binaries", () => {
  it("keeps the image's packages and deletes the others (and the CUDA 13 backend in the CUDA 12 image)", () => {
    for (const { kind } of images) {
      const modules = mkdtempSync(join(tmpdir(), "urial-prune-"));
      scratch.push(modules);
      const all = ["linux-x64", "linux-x64-cuda", "linux-x64-cuda-ext", "linux-x64-vulkan", "linux-arm64", "linux-armv7l"];
      for (const name of all) mkdirSync(join(modules, "@node-llama-cpp", name, "bins", name), { recursive: true });
      writeFileSync(join(modules, "@node-llama-cpp", "linux-x64-cuda", "bins", "linux-x64-cuda", "libggml-cuda.so"), "");
      const removed = prunePrebuiltBinaries(kind, modules, "x64");
      const left = readdirSync(join(modules, "@node-llama-cpp")).sort();
      expect(left).toEqual([...keptPrebuiltPackages(kind, "x64")].sort());
      expect(removed).toEqual(expect.arrayContaining(all.filter((name) => !left.includes(name)).map((name) => `@node-llama-cpp/${name}`)));
      expect(existsSync(join(modules, "@node-llama-cpp", "linux-x64-cuda", "bins", "linux-x64-cuda", "libggml-cuda.so"))).toBe(kind === "cuda");
    }
    expect(keptPrebuiltPackages("cpu", "arm64")).toEqual(["linux-arm64"]);
    expect(() => keptPrebuiltPackages("cuda", "arm64")).toThrow("x64 only");
  });

  it("fails, naming the package, when the image needs one that npm did not install", () => {
    const modules = mkdtempSync(join(tmpdir(), "urial-prune-"));
    scratch.push(modules);
    mkdirSync(join(modules, "@node-llama-cpp", "linux-x64"), { recursive: true });
    expect(() => prunePrebuiltBinaries("cuda", modules, "x64")).toThrow("@node-llama-cpp/linux-x64-cuda is not installed");
  });
});

const title = "the CUDA libraries each image's binaries need (readelf)";
const skipReason = !readelf ? "no readelf on this machine" : !binariesPresent ? "node-llama-cpp's x64 CUDA packages are not installed" : undefined;
if (skipReason) console.warn(`[skipped] ${title}: ${skipReason}`);

describe.skipIf(skipReason !== undefined)(skipReason ? `${title} — SKIPPED: ${skipReason}` : title, () => {
  for (const { file, kind } of images) {
    it(`${file}: every CUDA library the kept binaries link has the base image's CUDA major version`, () => {
      const major = baseCudaMajor(file);
      const removed = new Set(removedPrebuiltFiles(kind));
      const kept = keptPrebuiltPackages(kind, "x64")
        .flatMap((name) => binariesUnder(join(scope, name)))
        .filter((path) => !removed.has(relative(scope, path)));
      expect(kept.length).toBeGreaterThan(0);
      const needed = new Map(kept.map((path) => [relative(scope, path), gpuLibraries(path)] as const).filter(([, libraries]) => libraries.length > 0));
      if (kind === "cpu") {
        expect(major).toBeUndefined();
        expect(Object.fromEntries(needed)).toEqual({});
        return;
      }
      // The CUDA backend is there, and needs exactly the runtime and cuBLAS of the base image's major version.
      expect(major).toBeDefined();
      const libraries = [...needed.values()].flat();
      expect(libraries).toEqual(expect.arrayContaining([`libcudart.so.${major}`, `libcublas.so.${major}`]));
      for (const [path, list] of needed) for (const library of list) expect(library, `${path} needs ${library}`).toMatch(new RegExp(`^lib(cudart|cublas|cublasLt)\\.so\\.${major}$`));
    });
  }

  it("the CUDA 13 image is the main CUDA build (no fallback), the CUDA 12 one loads only the fallback", () => {
    expect(gpuLibraries(join(scope, "linux-x64-cuda/bins/linux-x64-cuda/libggml-cuda.so"))).toEqual(expect.arrayContaining(["libcudart.so.13"]));
    expect(gpuLibraries(join(scope, "linux-x64-cuda-ext/bins/linux-x64-cuda/fallback/libggml-cuda.so"))).toEqual(expect.arrayContaining(["libcudart.so.12"]));
    expect(keptPrebuiltPackages("cuda", "x64")).not.toContain("linux-x64-cuda-ext");
    expect(removedPrebuiltFiles("cuda12")).toEqual(["linux-x64-cuda/bins/linux-x64-cuda/libggml-cuda.so"]);
  });
});
