import type { FastifyInstance } from 'fastify';
import type { Predictor } from '@rally/predict';
import { errorResponse, MODEL_INFO, ref } from '../schemas.ts';

/** GET /model: which model answers, how it was measured, what it reads. */
export async function modelRoutes(app: FastifyInstance, { predictor }: { predictor: Predictor }): Promise<void> {
  app.get(
    '/model',
    {
      schema: {
        // Stryker disable StringLiteral: OpenAPI documentation text (what /docs shows), not behaviour
        summary: 'The production model',
        description: 'Its id, creation and promotion times, test and cross-validation metrics, classes and features.',
        // Stryker restore StringLiteral
        operationId: 'getModel',
        tags: ['model'],
        response: {
          200: { description: 'The model answering predictions.', content: { 'application/json': { schema: ref(MODEL_INFO) } } },
          503: errorResponse('No production model is loaded yet.', { message: 'No production model is loaded yet.', code: 'PREDICT_NO_MODEL' }),
        },
      },
    },
    async (_request, reply) =>
      predictor.modelInfo ?? reply.code(503).header('Retry-After', '5').send({ message: 'No production model is loaded yet.', code: 'PREDICT_NO_MODEL' }),
  );
}
