/**
 * @module telemetry/server-metrics
 * The Prometheus metrics behind `GET /metrics` (prom-client, one registry per
 * server so tests can build several). Request figures are recorded once per
 * finished request from its `RequestRecord`; the pool's state (queue depth,
 * busy sequences) is read from the engine at scrape time. Every label has a
 * bounded set of values: routes from a fixed list, models and variants only
 * once the server has recognised them.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Engine } from "../engine/engine.js";
import type { RecordedFinish, RequestRecord } from "./request-record.js";
import { registerUpstreamMetrics } from "./upstream-metrics.js";

export interface ServerMetricsOptions {
  /** The engine whose pool is reported; undefined while it loads. */
  engine: () => Engine | undefined;
  /** Requests being served right now (streams until their last byte). Defaults to none reported. */
  inFlight?: () => number;
  /** Also export Node.js process metrics (`process_resident_memory_bytes`, CPU, event loop…). Defaults to false. */
  processMetrics?: boolean;
}

/** A request counts as a prefix-cache hit when at least this share of its prompt tokens came from the cache. */
export const prefixHitShare = 0.5;

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** The label used when a request never named a model (or named one this server does not have). */
const noModel = "none";

/** One server's metrics registry: request figures recorded per finished request, the pool read at scrape time. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<"route" | "method" | "status" | "model">;
  readonly #duration: Histogram<"route" | "model">;
  readonly #firstToken: Histogram<"route" | "model">;
  readonly #promptTokens: Counter<"route" | "model">;
  readonly #completionTokens: Counter<"route" | "model">;
  readonly #cacheHits: Counter<"model">;
  readonly #cacheMisses: Counter<"model">;
  readonly #cachedTokens: Counter<"model">;
  readonly #streamErrors: Counter<"route" | "code">;
  readonly #variantRequests: Counter<"variant" | "status">;
  readonly #variantPromptTokens: Counter<"variant">;
  readonly #variantCompletionTokens: Counter<"variant">;
  readonly #variantFinishes: Counter<"variant" | "finish_reason" | "stop_reason">;
  readonly #readTimeouts: Counter<"phase">;
  readonly #connectionErrors: Counter<"reason">;
  #promptTokenSum = 0;
  #cachedTokenSum = 0;

  constructor(options: ServerMetricsOptions) {
    const registers = [this.registry];
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({ name: "urial_requests_total", help: "HTTP requests answered, by route, method, status and model.", labelNames: ["route", "method", "status", "model"], registers });
    this.#duration = new Histogram({
      name: "urial_request_duration_seconds",
      help: "Time from a request's arrival to its response's last byte (streams included).",
      labelNames: ["route", "model"],
      buckets: latencyBuckets,
      registers,
    });
    this.#firstToken = new Histogram({
      name: "urial_time_to_first_token_seconds",
      help: "Time from a request's arrival to its first generated token (queueing and prefill included).",
      labelNames: ["route", "model"],
      buckets: latencyBuckets,
      registers,
    });
    this.#promptTokens = new Counter({ name: "urial_prompt_tokens_total", help: "Prompt tokens of answered generation requests (tokens in).", labelNames: ["route", "model"], registers });
    this.#completionTokens = new Counter({ name: "urial_completion_tokens_total", help: "Generated tokens (tokens out).", labelNames: ["route", "model"], registers });
    this.#cacheHits = new Counter({
      name: "urial_prefix_cache_hits_total",
      help: `Generation requests that reused at least ${prefixHitShare * 100} % of their prompt tokens from a sequence's KV cache.`,
      labelNames: ["model"],
      registers,
    });
    this.#cacheMisses = new Counter({
      name: "urial_prefix_cache_misses_total",
      help: `Generation requests that reused less than ${prefixHitShare * 100} % of their prompt tokens.`,
      labelNames: ["model"],
      registers,
    });
    this.#cachedTokens = new Counter({ name: "urial_prefix_cache_cached_tokens_total", help: "Prompt tokens reused from the KV cache instead of being evaluated.", labelNames: ["model"], registers });
    this.#streamErrors = new Counter({
      name: "urial_stream_errors_total",
      help: "Errors sent inside a stream that had already begun (as a data: {error} event).",
      labelNames: ["route", "code"],
      registers,
    });
    this.#variantRequests = new Counter({
      name: "urial_variant_requests_total",
      help: "Generation requests per variant (exemplar set; 'base' for raw completions), by status.",
      labelNames: ["variant", "status"],
      registers,
    });
    this.#variantPromptTokens = new Counter({ name: "urial_variant_prompt_tokens_total", help: "Prompt tokens per variant.", labelNames: ["variant"], registers });
    this.#variantCompletionTokens = new Counter({ name: "urial_variant_completion_tokens_total", help: "Generated tokens per variant.", labelNames: ["variant"], registers });
    this.#readTimeouts = new Counter({
      name: "urial_request_read_timeouts_total",
      help: "Requests cut off because their headers (--header-timeout) or body (--body-timeout) did not arrive in time.",
      labelNames: ["phase"],
      registers,
    });
    this.#connectionErrors = new Counter({
      name: "urial_connection_errors_total",
      help: "Connections answered and closed by the HTTP parser before any route: header_timeout, request_timeout, headers_too_large, bad_request, reset.",
      labelNames: ["reason"],
      registers,
    });

    this.#variantFinishes = new Counter({
      name: "urial_variant_finishes_total",
      help: "Finished choices per variant, by finish_reason and stop_reason kind (client_stop, urial:<rule>, none).",
      labelNames: ["variant", "finish_reason", "stop_reason"],
      registers,
    });

    // prom-client calls collect() with the gauge as `this`; the sums live on this object.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const sums = this;
    new Gauge({
      name: "urial_prefix_cache_cached_token_ratio",
      help: "Share of all prompt tokens so far that came from the KV cache (0 before any).",
      registers,
      collect() {
        this.set(sums.#promptTokenSum > 0 ? sums.#cachedTokenSum / sums.#promptTokenSum : 0);
      },
    });
    new Gauge({
      name: "urial_engine_ready",
      help: "1 once the model is loaded (or the upstream is connected), 0 while loading.",
      registers,
      collect() {
        this.set(options.engine() ? 1 : 0);
      },
    });
    new Gauge({
      name: "urial_sequences",
      help: "Sequences that can generate at once (--parallel).",
      registers,
      collect() {
        this.set(options.engine()?.info.parallel ?? 0);
      },
    });
    new Gauge({
      name: "urial_busy_sequences",
      help: "Sequences generating right now.",
      registers,
      collect() {
        this.set(options.engine()?.status().busySequences ?? 0);
      },
    });
    new Gauge({
      name: "urial_queue_depth",
      help: "Requests waiting for a free sequence.",
      registers,
      collect() {
        this.set(options.engine()?.status().queued ?? 0);
      },
    });
    const decode = () => options.engine()?.status().decode;
    for (const [name, help, read] of [
      ["urial_decode_tokens_total", "Tokens generated by the local engine since start-up.", (stats) => stats.tokens],
      ["urial_decode_token_wait_seconds_total", "Seconds spent waiting for generated tokens (decode, sampling, decode rounds).", (stats) => stats.tokenWaitSeconds],
      ["urial_decode_consumer_seconds_total", "Seconds between handing each generated token on and the request for the next (answer pipeline, SSE, socket).", (stats) => stats.consumerSeconds],
      ["urial_decode_rounds_total", "Decode rounds in which concurrent sequences waited for each other.", (stats) => stats.rounds],
      ["urial_decode_rounds_expired_total", "Decode rounds that ended at the hold limit rather than with every token in.", (stats) => stats.expiredRounds],
    ] as const satisfies readonly (readonly [string, string, (stats: NonNullable<ReturnType<typeof decode>>) => number])[]) {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const stats = decode();
          this.set(stats ? read(stats) : 0);
        },
      });
    }
    registerUpstreamMetrics(registers, options.engine);
    const inFlight = options.inFlight;
    if (inFlight) {
      new Gauge({
        name: "urial_in_flight_requests",
        help: "Requests being served (a stream until its last byte).",
        registers,
        collect() {
          this.set(inFlight());
        },
      });
    }
  }

  /** The text format a scraper reads. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Everything, in Prometheus' text format. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Records one finished request. */
  /** Counts a connection the HTTP parser refused before it reached the app (see `cli/serve-command`'s clientError handler). */
  countConnectionError(reason: "header_timeout" | "request_timeout" | "headers_too_large" | "bad_request" | "reset"): void {
    this.#connectionErrors.inc({ reason });
    if (reason === "header_timeout" || reason === "request_timeout") this.#readTimeouts.inc({ phase: "headers" });
  }

  record(record: RequestRecord): void {
    const model = record.model ?? noModel;
    const status = String(record.status ?? 0);
    this.#requests.inc({ route: record.route, method: record.method, status, model });
    if (record.endedAtMs !== undefined) this.#duration.observe({ route: record.route, model }, (record.endedAtMs - record.startedAtMs) / 1000);
    if (record.firstTokenAtMs !== undefined) this.#firstToken.observe({ route: record.route, model }, (record.firstTokenAtMs - record.startedAtMs) / 1000);
    if (record.streamError && record.error) this.#streamErrors.inc({ route: record.route, code: record.error.code ?? "none" });
    if (record.error?.code === "request_body_timeout") this.#readTimeouts.inc({ phase: "body" });
    const usage = record.usage;
    if (usage) {
      this.#promptTokens.inc({ route: record.route, model }, usage.promptTokens);
      this.#completionTokens.inc({ route: record.route, model }, usage.completionTokens);
      if (usage.promptTokens > 0) {
        (usage.cachedTokens >= usage.promptTokens * prefixHitShare ? this.#cacheHits : this.#cacheMisses).inc({ model });
        this.#cachedTokens.inc({ model }, usage.cachedTokens);
        this.#promptTokenSum += usage.promptTokens;
        this.#cachedTokenSum += usage.cachedTokens;
      }
    }
    const variant = record.variant;
    if (variant !== undefined) {
      this.#variantRequests.inc({ variant, status });
      if (usage) {
        this.#variantPromptTokens.inc({ variant }, usage.promptTokens);
        this.#variantCompletionTokens.inc({ variant }, usage.completionTokens);
      }
      for (const finish of record.finishes) {
        this.#variantFinishes.inc({ variant, finish_reason: finish.reason, stop_reason: stopReasonLabel(finish.cut) });
      }
    }
  }
}

/** The `stop_reason` label: client stop strings are arbitrary text, so they share one value. */
export function stopReasonLabel(cut: RecordedFinish["cut"]): string {
  if (cut === null) return "none";
  return cut === "stop" ? "client_stop" : `urial:${cut}`;
}
