/**
 * @module server/routes/metrics
 * `GET /metrics`: the server's Prometheus metrics in the text format.
 */
import type { Context } from "hono";
import type { ServerMetrics } from "../../telemetry/server-metrics.js";

/** The `/metrics` handler for one registry. */
export function metricsRoute(metrics: ServerMetrics) {
  return async function scrapeMetrics(c: Context): Promise<Response> {
    const text = await metrics.metrics();
    return c.body(text, 200, { "content-type": metrics.contentType });
  };
}
