// @ts-check
/**
 * ESLint (flat config): typescript-eslint's recommended rules, plus the folder
 * boundaries the layout depends on, as `no-restricted-imports` per folder:
 * - node-llama-cpp only in src/engine/ (everything else sees the Engine interface);
 * - hono and @hono/* only in src/server/ (the HTTP layer);
 * - no file system, network or process I/O in the pure cores;
 * - a lower layer never imports a higher one (the answer pipeline knows no
 *   server, the engine knows no pipeline).
 * The table below is the one place these rules live; docs/architecture.md
 * explains the layers and test/lint/import-boundaries.test.ts proves the rules fire.
 */
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Packages allowed in one folder only. */
const confinedPackages = [
  { names: ["node-llama-cpp", "node-llama-cpp/*"], folder: "src/engine", message: "node-llama-cpp belongs in src/engine/ only: use the Engine interface (engine/engine.ts) elsewhere." },
  { names: ["hono", "hono/*", "@hono/*"], folder: "src/server", message: "hono belongs in src/server/ only (the HTTP layer): keep transport out of the other folders." },
];

/** Pure cores: they compute, they do no I/O (files, sockets, processes). */
const pureCores = ["src/prompt", "src/hygiene", "src/openai", "src/answer", "src/auth", "src/report-page", "src/ab/statistics", "src/ab/report", "src/config"];
const ioModules = ["fs", "fs/promises", "net", "http", "https", "http2", "child_process", "dgram", "tls", "worker_threads", "cluster"].flatMap((name) => [name, `node:${name}`]);

/**
 * Folders (src/<folder>) and the folders above them they must not import.
 * Order of the pipeline: server → openai → answer → prompt / hygiene → catalog → engine.
 */
const layers = {
  answer: ["server", "cli"],
  openai: ["server", "cli", "answer"],
  prompt: ["server", "cli", "answer", "openai", "engine"],
  hygiene: ["server", "cli", "answer", "openai", "engine", "prompt", "catalog"],
  catalog: ["server", "cli", "answer", "openai", "engine"],
  engine: ["server", "cli", "answer", "openai", "config", "catalog", "ab", "shift"],
  models: ["server", "cli", "answer", "engine", "config"],
  platform: ["server", "cli", "answer", "engine", "config", "models"],
  config: ["server", "cli", "engine", "answer"],
  ab: ["server", "cli"],
  shift: ["server", "cli"],
  "exemplar-search": ["server", "cli"],
};

/** Every src/ folder the rules mention, shallowest first (for a file in several, the deepest, listed last, wins). */
const folders = [...new Set([...confinedPackages.map((rule) => rule.folder), ...pureCores, ...Object.keys(layers).map((name) => `src/${name}`)])].sort(
  (a, b) => a.split("/").length - b.split("/").length,
);

/** The `no-restricted-imports` options for files in `folder` (undefined: the rest of src/). */
function restrictionsFor(folder) {
  const within = (parent) => folder !== undefined && (folder === parent || folder.startsWith(`${parent}/`));
  const paths = [];
  const patterns = [];
  for (const rule of confinedPackages) {
    if (within(rule.folder)) continue;
    patterns.push({ group: rule.names, message: rule.message });
  }
  if (pureCores.some((core) => within(core))) {
    paths.push(...ioModules.map((name) => ({ name, message: `${folder}/ is a pure core: no file system, network or process I/O here (pass what it needs in).` })));
  }
  const top = folder?.split("/")[1];
  const above = top === undefined ? undefined : layers[top];
  if (above !== undefined) {
    patterns.push({
      group: above.flatMap((name) => [`**/${name}/*`, `**/${name}/**`]),
      message: `src/${top}/ sits below ${above.map((name) => `${name}/`).join(", ")} in the pipeline and must not import them (see docs/architecture.md).`,
    });
  }
  return { paths, patterns };
}

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "test/fixtures/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        URL: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        fetch: "readonly",
        Response: "readonly",
        Request: "readonly",
        Headers: "readonly",
        performance: "readonly",
        structuredClone: "readonly",
        queueMicrotask: "readonly",
        document: "readonly",
        window: "readonly",
      },
    },
    rules: {
      // Leading underscore marks a deliberately unused binding (`const { identity: _identity, ...rest }`); tsc already reports the rest.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", caughtErrors: "none" }],
      // Control characters are matched on purpose (API key and escaping rules).
      "no-control-regex": "off",
      // `let x; …closure reads x…; x = value` is the point in tests that switch a dependency on later.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  { files: ["src/**/*.ts"], rules: { "no-restricted-imports": ["error", restrictionsFor(undefined)] } },
  ...folders.map((folder) => ({ files: [`${folder}/**/*.ts`], rules: { "no-restricted-imports": ["error", restrictionsFor(folder)] } })),
);
