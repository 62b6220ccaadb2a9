/**
 * @module answer/effective-limits
 * The limits the app enforces: the configured ones over the defaults.
 */
import { defaultRequestLimits, type RequestLimits } from "./request-limits.js";
import type { AppDeps } from "../server/app-deps.js";

/** `deps.limits` over `defaultRequestLimits`. */
export function requestLimits(deps: Pick<AppDeps, "limits">): RequestLimits {
  return { ...defaultRequestLimits, ...deps.limits };
}
