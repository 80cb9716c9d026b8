import type { FastifyInstance } from 'fastify';
import type { Predictor } from '@rally/predict';
import { READINESS, ref } from '../schemas.ts';

/** Liveness and readiness for load balancers and Kubernetes, and the original app's /ping. */
export async function healthRoutes(app: FastifyInstance, { predictor }: { predictor: Predictor }): Promise<void> {
  app.get(
    '/ping',
    {
      schema: {
        // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
        summary: "The original app's liveness check",
        // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
        description: 'Answers the text `pong!` whenever the process runs, as the original app did; /health/live and /health/ready are the probes to use.',
        operationId: 'ping',
        tags: ['health'],
        // Plain text, as the original answered (Fastify sends a string as text/plain).
        response: { 200: { description: 'Always pong!', content: { 'text/plain': { schema: { type: 'string' }, example: 'pong!' } } } },
      },
    },
    async () => 'pong!',
  );
  app.get(
    '/health/live',
    {
      schema: {
        // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
        summary: 'The process is up (liveness probe)',
        // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
        description: 'Answers 200 as long as the event loop runs, with or without a model: restarting would not load one faster.',
        operationId: 'liveness',
        tags: ['health'],
        response: { 200: { description: 'Alive.', type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'], description: 'Always `ok`.' } }, example: { status: 'ok' } } },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/health/ready',
    {
      schema: {
        // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
        summary: 'A production model is loaded (readiness probe)',
        // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
        description: 'Send traffic only when this answers 200. Until the first model is loaded it answers 503 with the reason (store unreachable, no production model yet, still loading).',
        operationId: 'readiness',
        tags: ['health'],
        response: {
          200: { description: 'Ready: the model id is in the answer.', content: { 'application/json': { schema: ref(READINESS) } } },
          503: {
            // Stryker disable next-line StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
            description: 'No model yet (retry after the Retry-After header).',
            content: {
              'application/json': {
                schema: ref(READINESS),
                example: { status: 'loading', message: 'No production model is loaded yet: The model store (local folder /app/store) has no production model yet; train one and deploy it.', code: 'PREDICT_NO_MODEL' },
              },
            },
          },
        },
      },
    },
    async (_request, reply) =>
      predictor.ready
        ? { status: 'ready', model_id: predictor.modelInfo?.model_id }
        : reply
            .code(503)
            .header('Retry-After', '5')
            .send({
              status: 'loading',
              message: `No production model is loaded yet${predictor.notReadyReason ? `: ${predictor.notReadyReason.replace(/\.$/, '')}` : ''}.`,
              code: 'PREDICT_NO_MODEL',
            }),
  );
}
