/**
 * @module server/routes/playground
 * The playground page: `GET /` and `GET /playground` answer its `index.html`,
 * `GET /playground/<file>` its scripts and styles, read from the package's
 * `playground/` folder as they are (plain ES modules, no build step). Only
 * flat names of the listed kinds are served, with a strict Content Security
 * Policy: the page talks to this origin only, and loads nothing from elsewhere.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Context } from "hono";
import { ApiError } from "../../openai/api-error.js";

const contentTypes: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  svg: "image/svg+xml",
};

const safeName = /^[a-z0-9][a-z0-9-]*\.(html|css|js|svg)$/;

/** No inline script or style, no other origin, no framing. */
export const playgroundContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function playgroundRoute(dir: string) {
  return async function playground(c: Context): Promise<Response> {
    const path = c.req.path;
    const name = path === "/" || path === "/playground" || path === "/playground/" ? "index.html" : path.slice("/playground/".length);
    const kind = safeName.exec(name)?.[1];
    let body: Buffer | undefined;
    if (kind !== undefined) body = await readFile(join(dir, name)).catch(() => undefined);
    if (kind === undefined || body === undefined) {
      throw new ApiError({ status: 404, type: "not_found_error", message: `No playground file ${name.length > 100 ? `${name.slice(0, 100)}…` : name}.`, code: "not_found" });
    }
    c.header("content-type", contentTypes[kind]!);
    c.header("cache-control", "no-cache");
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "no-referrer");
    c.header("content-security-policy", playgroundContentSecurityPolicy);
    return c.body(new Uint8Array(body));
  };
}
