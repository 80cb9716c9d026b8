import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Predictor } from '@rally/predict';
import fp from 'fastify-plugin';

/** Batch sizes worth telling apart: single points, small batches, up to the configured limit. */
function batchBuckets(maxBatch: number): number[] {
  const steps = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000].filter((size) => size < maxBatch);
  return [...steps, maxBatch];
}
/** One point takes well under a millisecond here; a full batch tens of milliseconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Default collectors' gauges with a counter's `_total` suffix. */
export const COUNTER_NAMED_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;

export interface MetricsOptions {
  predictor: Predictor;
  /** The batch-size histogram's last bucket. */
  maxBatch: number;
}

/** What the routes record: predictions per class and batch sizes (latency is recorded for every route here). */
export interface PredictionMetrics {
  observePrediction(labels: readonly string[]): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: PredictionMetrics;
    metricsRegistry: Registry;
  }
}

/**
 * Prometheus metrics of one app (its own registry: apps in one process, as in tests, never mix):
 * request latency per route and status, predictions per class, batch sizes, the loaded model as
 * an info metric, model reloads, and Node's process metrics (memory, CPU, event loop lag).
 */
export const metrics = fp(async function metrics(app: FastifyInstance, { predictor, maxBatch }: MetricsOptions): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client's sums of the per-type gauges are gauges named like counters, which promtool
  // refuses ("non-counter metrics should not have _total suffix"): dropped. The per-type gauges
  // stay; their total is `sum(nodejs_active_handles)`.
  for (const name of COUNTER_NAMED_GAUGES) registry.removeSingleMetric(name);
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request received to response sent, per route and status.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const predictions = new Counter({ name: 'rally_predictions_total', help: 'Points predicted, per predicted class.', labelNames: ['class'], registers: [registry] });
  const batchSize = new Histogram({ name: 'rally_batch_size_points', help: 'Points per prediction request.', buckets: batchBuckets(maxBatch), registers: [registry] });
  new Gauge({
    name: 'rally_model_info',
    help: 'The production model being served (value 1, its id as a label); absent while none is loaded.',
    labelNames: ['model_id'],
    registers: [registry],
    collect() {
      this.reset();
      const id = predictor.modelInfo?.model_id;
      if (id) this.set({ model_id: id }, 1);
    },
  });
  new Counter({
    name: 'rally_model_reloads_total',
    help: 'Production model loads since the start, by result (a failed reload keeps the model it had).',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: 'success' }, predictor.reloads?.success ?? 0);
      this.inc({ result: 'failure' }, predictor.reloads?.failure ?? 0);
    },
  });

  app.decorate('metricsRegistry', registry);
  app.decorate('metrics', {
    observePrediction(labels: readonly string[]) {
      batchSize.observe(labels.length);
      if (labels.length === 1) {
        predictions.inc({ class: labels[0] });
        return;
      }
      const counts = new Map<string, number>();
      for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
      for (const [label, count] of counts) predictions.inc({ class: label }, count);
    },
  });
  // One labelled child per (method, route, status), kept: prom-client would hash the labels on every observation.
  const latencyOf = new Map<string, Histogram.Internal<'method' | 'route' | 'status_code'>>();
  app.addHook('onResponse', (request, reply, done) => {
    // The route's pattern, not the URL: unknown paths share one label instead of one series each.
    const route = request.routeOptions.url ?? 'unmatched';
    const key = `${request.method} ${route} ${reply.statusCode}`;
    let child = latencyOf.get(key);
    if (child === undefined) {
      child = latency.labels({ method: request.method, route, status_code: String(reply.statusCode) });
      latencyOf.set(key, child);
    }
    child.observe(reply.elapsedTime / 1000);
    done();
  });
}, { name: 'rally-metrics', fastify: '5.x' });
