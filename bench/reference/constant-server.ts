/**
 * The ceiling for bench:serve: Fastify answering a constant on the same route, parsing the same
 * JSON body, with the same number of processes as the server under test. Usage: PORT=... WORKERS=...
 */
import cluster from 'node:cluster';
import Fastify from 'fastify';

const workers = Number(process.env.WORKERS ?? 1);
if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i += 1) cluster.fork();
} else {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  const answer = ['UE'];
  app.post('/predict', { schema: { response: { 200: { type: 'array', items: { type: 'string' } } } } }, async () => answer);
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
}
