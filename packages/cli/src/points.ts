/**
 * Points for `rally predict` and `rally features`: JSON from --input, a file, or stdin; one point
 * (an object), an array of points, JSON lines (a point per line), or the HTTP API's body
 * `{"data": point | [points]}`. Checked by the HTTP API's own validator, so both say the same words.
 */
import { readFile } from 'node:fs/promises';
import { RallyError, UsageError } from '@rally/errors';
import { requestValidator } from '@rally/serve/validation';
import type { Context } from './convention.ts';
import { resolveInput } from './paths.ts';

export interface PointSource {
  /** The points as JSON text (--input). */
  input?: string;
  /** A file of points; '-' is stdin. */
  file?: string;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The text of the points and a name for it in errors. */
async function readSource(ctx: Context, source: PointSource): Promise<{ text: string; name: string }> {
  if (source.input !== undefined && source.file !== undefined) throw new UsageError('Give the points once: as --input, or as a file (- for stdin).');
  if (source.input !== undefined) return { text: source.input, name: '--input' };
  if (source.file !== undefined && source.file !== '-') {
    const path = resolveInput(ctx.env, source.file);
    try {
      return { text: await readFile(path, 'utf8'), name: path };
    } catch (error) {
      throw new RallyError('CLI_INPUT', `Cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error });
    }
  }
  // Nothing given on a terminal: waiting for typed JSON would look like a hang.
  if (source.file === undefined && ctx.io.stdin.isTTY) throw new UsageError("Give the points as --input '<json>', as a file, or as JSON on stdin.");
  return { text: await readStream(ctx.io.stdin), name: 'stdin' };
}

/** JSON text as one value; a syntax error is CLI_INPUT naming where. */
function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RallyError('CLI_INPUT', `${where} is not JSON (${(error as Error).message.replace(/\.$/, '')}).`, { cause: error });
  }
}

/** The body the validator checks: what the HTTP API would get for these points. */
export function bodyOf(text: string, name: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') throw new RallyError('CLI_INPUT', `${name} is empty: give one point as a JSON object, an array of points, or one point per line.`);
  const lines = trimmed.split(/\r?\n/).filter((line) => line.trim() !== '');
  // JSON lines: several lines, each a whole JSON object (a pretty-printed document's first line is not).
  const jsonLines = lines.length > 1 && lines.every((line) => line.trim().startsWith('{') && line.trim().endsWith('}')) && isJson(lines[0]);
  if (jsonLines) return { data: lines.map((line, i) => parseJson(line, `Line ${i + 1} of ${name}`)) };
  const value = parseJson(trimmed, name);
  // The HTTP API's own body form is taken as it is.
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && Object.hasOwn(value, 'data')) return value;
  return { data: value };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Reads and checks the points; a bad point is the HTTP API's PREDICT_INVALID_POINT, its problems in `details`. */
export async function readPoints(ctx: Context, source: PointSource): Promise<unknown[]> {
  const { text, name } = await readSource(ctx, source);
  const check = requestValidator({ bodyLimit: Number.MAX_SAFE_INTEGER, maxBatch: Number.MAX_SAFE_INTEGER });
  return check(bodyOf(text, name));
}
