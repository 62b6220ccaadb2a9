/**
 * The Dockerfiles, checked without Docker (it does not run on this machine):
 * Debian node base images and multi-stage builds, a non-root user, a
 * HEALTHCHECK on /health, models in a /models volume, and every command the
 * images run exists — npm scripts in package.json, files in the repository,
 * the entry point where the build puts it, URIAL_* variables the server reads.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { urialCacheDir } from "../../src/platform/cache-dir.js";
import { parseServeConfig, serveOptions, type ServeConfig } from "../../src/config/serve-config.js";
import { parseDockerfile, stageEnv, type Instruction, type Stage } from "./parse-dockerfile.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  version: string;
  license: string;
  scripts: Record<string, string>;
  bin: Record<string, string>;
  files: string[];
};
const tsconfigBuild = JSON.parse(readFileSync(join(root, "tsconfig.build.json"), "utf8")) as { compilerOptions: { outDir: string; rootDir: string }; include: string[] };
const knownEnv = new Set(Object.values(serveOptions).map((spec) => spec.env));
/** The prebuilt-binary selection each Dockerfile asks for (see scripts/prune-prebuilt-binaries.mjs). */
const imageKinds: Record<string, string> = { Dockerfile: "cpu", "Dockerfile.cuda": "cuda", "Dockerfile.cuda12": "cuda12" };

/** LABEL key="value" pairs of a stage. */
function stageLabels(stage: Stage): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const label of stage.instructions.filter((instruction) => instruction.keyword === "LABEL")) {
    for (const match of label.args.matchAll(/([\w.-]+)="([^"]*)"/g)) labels[match[1]!] = match[2]!;
  }
  return labels;
}

function all(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** `npm run X`, `npm ci`, `npm prune` … in a RUN line. */
function npmCommands(run: string): string[][] {
  return run
    .split(/&&|;|\|\|/)
    .map((part) => part.trim().split(/\s+/))
    .filter((words) => words[0] === "npm");
}

for (const file of ["Dockerfile", "Dockerfile.cuda", "Dockerfile.cuda12"]) {
  describe(file, () => {
    const stages = parseDockerfile(readFileSync(join(root, file), "utf8"));
    const build = stages[0]!;
    const final = stages[stages.length - 1]!;

    it("is multi-stage, building on Debian node (not alpine)", () => {
      expect(stages.length).toBeGreaterThanOrEqual(2);
      expect(build.image).toMatch(/^node:\d+-(bookworm|bullseye|trixie)(-slim)?$/);
      expect(build.alias).toBe("build");
      for (const stage of stages) expect(stage.image).not.toMatch(/alpine/);
      if (file === "Dockerfile") expect(final.image).toMatch(/^node:\d+-(bookworm|bullseye|trixie)(-slim)?$/);
      else expect(final.image).toMatch(/^nvidia\/cuda:[\d.]+-runtime-ubuntu[\d.]+$/);
      // The build and the runtime use the same Node major.
      const major = /^node:(\d+)/.exec(build.image)![1];
      if (file === "Dockerfile") expect(final.image.startsWith(`node:${major}-`)).toBe(true);
      else expect(all(final, "COPY").some((copy) => copy.args.includes(`--from=node:${major}-`))).toBe(true);
    });

    it("runs only npm commands that package.json has, and builds dist/ with them", () => {
      const runs = all(build, "RUN").flatMap((run) => npmCommands(run.args));
      expect(runs.length).toBeGreaterThan(0);
      for (const words of runs) {
        const [, command, ...rest] = words;
        if (command === "run") expect(packageJson.scripts, `npm run ${rest[0]}`).toHaveProperty(rest[0]!);
        else expect(["ci", "prune", "install"]).toContain(command);
      }
      const ci = runs.find((words) => words[1] === "ci");
      expect(ci, "npm ci builds dist/ through the prepare script").toBeDefined();
      expect(packageJson.scripts.prepare).toBe("npm run build");
      expect(packageJson.scripts.build).toContain("tsconfig.build.json");
      // npm ci needs the lockfile, and the build needs every folder tsconfig.build.json includes.
      const copied = all(build, "COPY").flatMap((copy) => copy.args.split(/\s+/).slice(0, -1));
      for (const needed of ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", ...tsconfigBuild.include]) expect(copied, needed).toContain(needed);
    });

    it("copies only files that exist, and everything the package ships", () => {
      for (const stage of stages) {
        for (const copy of all(stage, "COPY").filter((item) => !item.args.startsWith("--from"))) {
          for (const source of copy.args.split(/\s+/).slice(0, -1)) expect(existsSync(join(root, source)), `${file}:${copy.line} ${source}`).toBe(true);
        }
      }
      const finalCopies = all(final, "COPY").map((copy) => copy.args);
      for (const shipped of packageJson.files.filter((name) => name !== "README.md")) {
        expect(
          finalCopies.some((args) => args.split(/\s+/).includes(shipped) || args.includes(`/app/${shipped} `)),
          `${shipped} (package.json files) in the image`,
        ).toBe(true);
      }
      expect(finalCopies).toContain("--from=build /app/node_modules ./node_modules");
      expect(finalCopies).toContain(`--from=build /app/${tsconfigBuild.compilerOptions.outDir} ./${tsconfigBuild.compilerOptions.outDir}`);
    });

    it("runs `urial` (on the PATH, linked to where the build puts the CLI) with `serve` as the default command", () => {
      const [entrypoint] = all(final, "ENTRYPOINT");
      expect(entrypoint?.exec).toEqual(["urial"]);
      expect(all(final, "CMD").map((cmd) => cmd.exec)).toEqual([["serve"]]);
      const runs = all(final, "RUN").map((run) => run.args);
      expect(runs.some((run) => run.includes(`ln -s /app/${packageJson.bin.urial} /usr/local/bin/urial`))).toBe(true);
      expect(runs.some((run) => run.includes(`chmod 755 ${packageJson.bin.urial}`))).toBe(true);
      expect(readFileSync(join(root, "src/cli/urial.ts"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
      // tsconfig.build.json compiles src/cli/urial.ts (rootDir ".") to dist/src/cli/urial.js.
      expect(packageJson.bin.urial).toBe(`${tsconfigBuild.compilerOptions.outDir}/src/cli/urial.js`);
      expect(tsconfigBuild.compilerOptions.rootDir).toBe(".");
      expect(existsSync(join(root, "src/cli/urial.ts"))).toBe(true);
      expect(readFileSync(join(root, "src/cli/urial.ts"), "utf8")).toContain('case "serve":');
      if (existsSync(join(root, "dist"))) expect(existsSync(join(root, packageJson.bin.urial!)), "the built CLI").toBe(true);
    });

    it("runs as an unprivileged user, listens where it says, keeps everything it writes in /data, and checks /health", () => {
      const users = all(final, "USER");
      expect(users.length).toBe(1);
      expect(users[0]!.args).not.toMatch(/^(root|0)(:|$)/);
      expect(users[0]!.line).toBeLessThan(all(final, "ENTRYPOINT")[0]!.line);
      expect(
        all(final, "VOLUME")
          .map((volume) => volume.exec ?? volume.args.split(/\s+/))
          .flat(),
      ).toEqual(["/data"]);
      const env = stageEnv(final);
      // Models, prefix states, the A/B outcome log and every cache, as the server resolves them with the image's environment.
      const parsed = parseServeConfig([], env);
      expect(parsed.ok).toBe(true);
      const config = (parsed as { config: ServeConfig }).config;
      for (const path of [config.modelsDir, config.prefixCacheDir, config.experimentLog, urialCacheDir(env)]) expect(path.startsWith("/data/"), path).toBe(true);
      const runs = all(final, "RUN").map((run) => run.args);
      expect(runs.some((run) => /chown -R node:node \/data/.test(run))).toBe(true);
      for (const dir of ["/data/models", "/data/prefix-states", "/data/experiments", "/data/cache"])
        expect(
          runs.some((run) => run.includes(dir)),
          dir,
        ).toBe(true);
      expect(env.URIAL_HOST).toBe("0.0.0.0");
      expect(all(final, "EXPOSE").map((expose) => expose.args)).toContain(env.URIAL_PORT);
      for (const name of Object.keys(env).filter((key) => key.startsWith("URIAL_"))) expect(knownEnv, `${name} is a urial serve variable`).toContain(name);
      expect(env.NODE_LLAMA_CPP_SKIP_DOWNLOAD).toBe("true");
      const [healthcheck] = all(final, "HEALTHCHECK");
      expect(healthcheck).toBeDefined();
      expect(healthcheck!.exec?.[0]).toBe("node");
      expect(healthcheck!.exec?.join(" ")).toContain("/health");
      expect(healthcheck!.exec?.join(" ")).toContain("URIAL_PORT");
      // The shutdown deadline stays under docker stop's default 10 s grace.
      expect(Number(env.URIAL_SHUTDOWN_TIMEOUT)).toBeLessThan(10);
    });

    it("carries OCI labels that agree with package.json and the base image", () => {
      const labels = stageLabels(final);
      expect(labels["org.opencontainers.image.title"]).toBe(packageJson.name);
      expect(labels["org.opencontainers.image.version"]).toBe(packageJson.version);
      expect(labels["org.opencontainers.image.licenses"]).toBe(packageJson.license);
      expect(labels["org.opencontainers.image.description"]?.length).toBeGreaterThan(20);
      expect(labels["org.opencontainers.image.base.name"]).toMatch(new RegExp(`(^|/)${final.image.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
    });

    it("prunes node-llama-cpp's prebuilt binaries to the ones this image can load", () => {
      const kind = imageKinds[file];
      const builds = all(build, "RUN").map((run) => run.args);
      expect(builds.some((run) => run.includes(`node scripts/prune-prebuilt-binaries.mjs ${kind}`) && run.indexOf("npm prune") < run.indexOf("prune-prebuilt-binaries"))).toBe(true);
      expect(all(build, "COPY").map((copy) => copy.args)).toContain("scripts/prune-prebuilt-binaries.mjs ./scripts/");
    });
  });
}

describe(".dockerignore", () => {
  it("keeps node_modules, dist and models out of the build context", () => {
    const ignored = readFileSync(join(root, ".dockerignore"), "utf8")
      .split("\n")
      .map((line) => line.trim());
    for (const entry of ["node_modules", "dist", "*.gguf"]) expect(ignored).toContain(entry);
  });
});

describe("parseDockerfile", () => {
  it("joins continuations, skips comments, and reads exec forms", () => {
    const stages = parseDockerfile('# c\nFROM a AS b\nRUN one \\\n  # inner\n  two\nCMD ["x", "y"]\nHEALTHCHECK --interval=5s CMD ["node", "-e", "1"]\n');
    expect(stages).toEqual([
      {
        image: "a",
        alias: "b",
        instructions: [
          { keyword: "RUN", args: "one two", line: 3 },
          { keyword: "CMD", args: '["x", "y"]', exec: ["x", "y"], line: 6 },
          { keyword: "HEALTHCHECK", args: '--interval=5s CMD ["node", "-e", "1"]', exec: ["node", "-e", "1"], line: 7 },
        ],
      },
    ]);
  });
});
