/**
 * @module telemetry/upstream-metrics
 * Per-replica metrics of a remote engine, read from the engine's status at
 * scrape time (the replicas keep the counts): whether each is up, its load,
 * the requests routed to it (by how it was chosen), its errors and failovers,
 * and the prompt and cached tokens its `usage` reported. The `upstream` label
 * takes the configured URLs only, so its values are bounded.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { Engine, UpstreamReplicaStatus } from "../engine/engine.js";

/** Registers the `urial_upstream_*` metrics (empty when the engine is local or not ready). */
export function registerUpstreamMetrics(registers: Registry[], engine: () => Engine | undefined): void {
  const replicas = (): UpstreamReplicaStatus[] => engine()?.status().upstreams ?? [];
  const gauge = (name: string, help: string, value: (replica: UpstreamReplicaStatus) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["upstream"],
      registers,
      collect() {
        this.reset();
        for (const replica of replicas()) this.set({ upstream: replica.url }, value(replica));
      },
    });
  // Totals kept by the replicas: the counter is set to them at each scrape.
  const total = (name: string, help: string, value: (replica: UpstreamReplicaStatus) => number) =>
    new Counter({
      name,
      help,
      labelNames: ["upstream"],
      registers,
      collect() {
        this.reset();
        for (const replica of replicas()) this.inc({ upstream: replica.url }, value(replica));
      },
    });
  gauge("urial_upstream_up", "1 while the upstream replica passes its health checks and answers requests, else 0.", (replica) => (replica.state === "up" ? 1 : 0));
  gauge("urial_upstream_in_flight", "Requests the upstream replica is serving now.", (replica) => replica.inFlight);
  new Counter({
    name: "urial_upstream_requests_total",
    help: "Requests sent to the upstream replica, by route: affinity (their prefix's replica), spill (that one was saturated), overload (all were), unhealthy (none was up).",
    labelNames: ["upstream", "route"],
    registers,
    collect() {
      this.reset();
      for (const replica of replicas()) for (const [route, count] of Object.entries(replica.requests)) this.inc({ upstream: replica.url, route }, count);
    },
  });
  total("urial_upstream_errors_total", "Requests that failed on the upstream replica.", (replica) => replica.errors);
  total("urial_upstream_failovers_total", "Requests that failed on the upstream replica before their first token and were retried on another.", (replica) => replica.failedOver);
  total("urial_upstream_prompt_tokens_total", "Prompt tokens the upstream replica reported in its usage.", (replica) => replica.promptTokens);
  total(
    "urial_upstream_cached_tokens_total",
    "Prompt tokens the upstream replica reported as served from its prefix cache (usage.prompt_tokens_details.cached_tokens).",
    (replica) => replica.cachedTokens,
  );
}
