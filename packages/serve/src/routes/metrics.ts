import type { FastifyInstance } from 'fastify';

/** GET /metrics: Prometheus text format, this process's metrics (see plugins/metrics.ts). */
export async function metricsRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/metrics',
    {
      schema: {
        // Stryker disable StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
        summary: 'Prometheus metrics',
        description:
          'Request latency per route and status (http_request_duration_seconds), predictions per class (rally_predictions_total), batch sizes (rally_batch_size_points), the loaded model (rally_model_info), model reloads (rally_model_reloads_total), and process metrics. Per process: with WORKERS > 1 each scrape reaches one worker.',
        // Stryker restore StringLiteral
        operationId: 'metrics',
        tags: ['operations'],
        response: { 200: { description: 'Prometheus text exposition format 0.0.4.', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    async (_request, reply) => reply.header('Content-Type', app.metricsRegistry.contentType).send(await app.metricsRegistry.metrics()),
  );
}
