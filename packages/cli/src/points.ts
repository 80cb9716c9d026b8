/**
 * Points for `rally predict` and `rally features`: JSON from --input, a file, or stdin; one point
 * (an object), an array of points, JSON lines (a point per line), or the HTTP API's body
 * `{"data": point | [points]}`. Checked by the HTTP API's own validator, so both say the same words.
 */
import { readFile } from 'node:fs/promises';
import { RallyError, UsageError } from '@rally/errors';
import { inputColumns } from '@rally/features';
import { requestValidator } from '@rally/serve/validation';
import type { Context } from './convention.ts';
import { resolveInput } from './paths.ts';

const COLUMN_NAMES = inputColumns().map((column) => column.name);

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

/** One top-level JSON value of the input: its text and the line it starts on. */
interface Chunk {
  text: string;
  line: number;
}

/**
 * Splits the input into its top-level JSON values: one document, JSON lines, or objects one after
 * another however they are laid out (`jq '.[]'`). Only brackets outside strings count; each chunk
 * is then parsed by JSON.parse, so the split never decides what is valid.
 */
export function splitValues(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') line += 1;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\ufeff') {
      i += 1;
      continue;
    }
    const start = i;
    const startLine = line;
    if (c === '{' || c === '[') {
      let depth = 0;
      let inString = false;
      for (; i < text.length; i++) {
        const d = text[i];
        if (d === '\n') line += 1;
        if (inString) {
          if (d === '\\') i += 1;
          else if (d === '"') inString = false;
        } else if (d === '"') inString = true;
        else if (d === '{' || d === '[') depth += 1;
        else if (d === '}' || d === ']') {
          depth -= 1;
          if (depth === 0) break;
        }
      }
      i += 1;
    } else {
      // A scalar (or garbage): up to the next whitespace.
      while (i < text.length && !/\s/.test(text[i])) i += 1;
    }
    chunks.push({ text: text.slice(start, i), line: startLine });
  }
  return chunks;
}

function parseChunk(chunk: Chunk, name: string, several: boolean): unknown {
  try {
    return JSON.parse(chunk.text);
  } catch (error) {
    const why = (error as Error).message.replace(/\.$/, '').replace(/ in JSON at position \d+.*$/, '').split('\n')[0];
    throw new RallyError('CLI_INPUT', `${name} is not JSON${several || chunk.line > 1 ? ` at line ${chunk.line}` : ''} (${why}).`, { cause: error });
  }
}

/**
 * The body the validator checks: what the HTTP API would get for these points. One value is a
 * point, an array of points, or the HTTP API's own body (an object with `data` and no contract
 * column); several values (JSON lines, objects one after another) are one point each.
 */
export function bodyOf(text: string, name: string): unknown {
  const chunks = splitValues(text);
  if (chunks.length === 0) throw new RallyError('CLI_INPUT', `${name} is empty: give one point as a JSON object, an array of points, or one point per line.`);
  const values = chunks.map((chunk) => parseChunk(chunk, name, chunks.length > 1));
  if (values.length > 1) return { data: values };
  const [value] = values;
  const isBody = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, 'data') && !COLUMN_NAMES.some((column) => Object.hasOwn(value, column));
  return isBody ? value : { data: value };
}

/** Reads and checks the points; a bad point is the HTTP API's PREDICT_INVALID_POINT, its problems in `details`. */
export async function readPoints(ctx: Context, source: PointSource): Promise<unknown[]> {
  const { text, name } = await readSource(ctx, source);
  const check = requestValidator({ bodyLimit: Number.MAX_SAFE_INTEGER, maxBatch: Number.MAX_SAFE_INTEGER });
  return check(bodyOf(text, name));
}
