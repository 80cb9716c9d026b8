import type { FastifyServerOptions } from 'fastify';
import type { ServerConfig } from './config.ts';

/**
 * Fastify's logger for a configuration: JSON lines (one object per line, for log shippers) or,
 * for a person at a terminal, pino-pretty (loaded only then). Every line carries the loaded
 * model's id as `model_id`, so a prediction's log says which model made it.
 */
export async function loggerOptions(config: ServerConfig, modelId: () => string | undefined): Promise<FastifyServerOptions['logger']> {
  if (config.logLevel === 'silent') return false;
  const mixin = () => {
    const id = modelId();
    return id === undefined ? {} : { model_id: id };
  };
  if (config.logFormat === 'json') return { level: config.logLevel, mixin };
  const { default: pretty } = await import('pino-pretty');
  return { level: config.logLevel, mixin, stream: pretty({ colorize: !process.env.NO_COLOR, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) };
}
