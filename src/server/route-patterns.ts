/**
 * @module server/route-patterns
 * Reads the app's own route table (hono's `app.routes`) so the answers about
 * routes (405 with `Allow`, the API index) can never drift from the routes
 * actually registered. Pure.
 */

/** A registered route as hono lists it (`ALL` entries are middleware). */
export interface RegisteredRoute {
  method: string;
  path: string;
}

/** Whether a request path matches a hono route path (`:name` one segment, `*` anything). */
export function routeMatches(pattern: string, path: string): boolean {
  const source = pattern
    .split("/")
    .map((segment) => (segment === "*" ? ".*" : segment.startsWith(":") ? "[^/]+" : segment.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}/?$`).test(path);
}

/** The methods a path answers to (HEAD with every GET, as hono serves it), sorted; empty when none. */
export function allowedMethods(routes: readonly RegisteredRoute[], path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    if (route.method === "ALL" || !routeMatches(route.path, path)) continue;
    methods.add(route.method);
    if (route.method === "GET") methods.add("HEAD");
  }
  return [...methods].sort();
}

/** The endpoints (method and path, middleware left out, each once) in registration order. */
export function listEndpoints(routes: readonly RegisteredRoute[]): RegisteredRoute[] {
  const seen = new Set<string>();
  return routes.filter((route) => {
    const key = `${route.method} ${route.path}`;
    if (route.method === "ALL" || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
