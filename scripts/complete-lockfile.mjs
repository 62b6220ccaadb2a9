#!/usr/bin/env node
// node-llama-cpp lists a prebuilt binary package per platform as an optional
// dependency. The registry mirror this project is developed against serves
// only the Linux ones, so `npm install` leaves the others out of
// package-lock.json and `npm ci` then refuses the lock as out of sync. This
// adds the missing entries (version, os, cpu, optional) so `npm ci` accepts
// the lock everywhere; npm skips them on other platforms and, on a machine of
// their platform, fetches them from the public registry as usual.
// Run after any `npm install` that rewrites the lock: node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from "node:fs";

const platforms = {
  "linux-arm64": ["linux", "arm64"],
  "linux-armv7l": ["linux", "arm"],
  "linux-riscv64": ["linux", "riscv64"],
  "linux-x64": ["linux", "x64"],
  "linux-x64-cuda": ["linux", "x64"],
  "linux-x64-cuda-ext": ["linux", "x64"],
  "linux-x64-vulkan": ["linux", "x64"],
  "mac-arm64-metal": ["darwin", "arm64"],
  "mac-x64": ["darwin", "x64"],
  "win-arm64": ["win32", "arm64"],
  "win-x64": ["win32", "x64"],
  "win-x64-cuda": ["win32", "x64"],
  "win-x64-cuda-ext": ["win32", "x64"],
  "win-x64-vulkan": ["win32", "x64"],
};

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const wanted = lock.packages["node_modules/node-llama-cpp"]?.optionalDependencies ?? {};
let added = 0;
for (const [name, version] of Object.entries(wanted)) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const platform = platforms[name.replace("@node-llama-cpp/", "")];
  if (!platform) throw new Error(`unknown node-llama-cpp platform package ${name}`);
  lock.packages[key] = { version, cpu: [platform[1]], license: "MIT", optional: true, os: [platform[0]], engines: { node: ">=20.0.0" } };
  added += 1;
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
writeFileSync("package-lock.json", JSON.stringify(lock, null, 2) + "\n");
console.log(`complete-lockfile: added ${added} platform package entries`);
