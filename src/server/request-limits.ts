/**
 * @module server/request-limits
 * The limits the app enforces: the configured ones over the defaults.
 */
import { defaultRequestLimits, type RequestLimits } from "../limits/request-limits.js";
import type { AppDeps } from "./app-deps.js";

/** `deps.limits` over `defaultRequestLimits`. */
export function requestLimits(deps: Pick<AppDeps, "limits">): RequestLimits {
  return { ...defaultRequestLimits, ...deps.limits };
}
