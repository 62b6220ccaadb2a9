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
import { serveOptions } from "../../src/config/serve-config.js";
import { parseDockerfile, stageEnv, type Instruction, type Stage } from "./parse-dockerfile.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string>; bin: Record<string, string>; files: string[] };
const tsconfigBuild = JSON.parse(readFileSync(join(root, "tsconfig.build.json"), "utf8")) as { compilerOptions: { outDir: string; rootDir: string }; include: string[] };
const knownEnv = new Set(Object.values(serveOptions).map((spec) => spec.env));

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

for (const file of ["Dockerfile", "Dockerfile.cuda"]) {
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

    it("starts `urial serve` from where the build puts the CLI", () => {
      const [entrypoint] = all(final, "ENTRYPOINT");
      expect(entrypoint?.exec).toEqual(["node", packageJson.bin.urial!, "serve"]);
      // tsconfig.build.json compiles src/cli/urial.ts (rootDir ".") to dist/src/cli/urial.js.
      expect(packageJson.bin.urial).toBe(`${tsconfigBuild.compilerOptions.outDir}/src/cli/urial.js`);
      expect(tsconfigBuild.compilerOptions.rootDir).toBe(".");
      expect(existsSync(join(root, "src/cli/urial.ts"))).toBe(true);
      expect(readFileSync(join(root, "src/cli/urial.ts"), "utf8")).toContain('case "serve":');
      if (existsSync(join(root, "dist"))) expect(existsSync(join(root, packageJson.bin.urial!)), "the built CLI").toBe(true);
    });

    it("runs as an unprivileged user, listens where it says, keeps models in /models, and checks /health", () => {
      const users = all(final, "USER");
      expect(users.length).toBe(1);
      expect(users[0]!.args).not.toMatch(/^(root|0)(:|$)/);
      expect(users[0]!.line).toBeLessThan(all(final, "ENTRYPOINT")[0]!.line);
      expect(
        all(final, "VOLUME")
          .map((volume) => volume.exec ?? volume.args.split(/\s+/))
          .flat(),
      ).toContain("/models");
      const env = stageEnv(final);
      expect(env.URIAL_HOST).toBe("0.0.0.0");
      expect(all(final, "EXPOSE").map((expose) => expose.args)).toContain(env.URIAL_PORT);
      for (const name of Object.keys(env).filter((key) => key.startsWith("URIAL_"))) expect(knownEnv, `${name} is a urial serve variable`).toContain(name);
      const [healthcheck] = all(final, "HEALTHCHECK");
      expect(healthcheck).toBeDefined();
      expect(healthcheck!.exec?.[0]).toBe("node");
      expect(healthcheck!.exec?.join(" ")).toContain("/health");
      expect(healthcheck!.exec?.join(" ")).toContain("URIAL_PORT");
      // The shutdown deadline stays under docker stop's default 10 s grace.
      expect(Number(env.URIAL_SHUTDOWN_TIMEOUT)).toBeLessThan(10);
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
