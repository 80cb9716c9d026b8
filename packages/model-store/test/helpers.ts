import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { expect } from 'vitest';
import { type ErrorCode, RallyError } from '@rally/errors';
import { type ArtifactName, sha256Hex } from '../src/index.ts';

export const BUCKET = 'models';
/** s3rver's built-in key pair. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface RunningS3rver {
  endpoint: string;
  close(): Promise<void>;
}

/** A real S3-compatible server on 127.0.0.1, ephemeral port, bucket `models`, data in a temp folder. */
export async function startS3rver(): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), 'rally-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, resetOnClose: true, configureBuckets: [{ name: BUCKET, configs: [] }] });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export async function tempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `rally-${label}-`));
}

export interface FakeModel {
  id: string;
  files: Record<ArtifactName, Buffer>;
}

/** Three artifacts whose id is the sha256 of model.json, like the training package produces. */
export function fakeModel(seed: string): FakeModel {
  const model = Buffer.from(`${JSON.stringify({ kind: 'random-forest', format_version: 1, seed, trees: [[1, 2, 3]] })}\n`);
  return {
    id: sha256Hex(model),
    files: {
      'model.json': model,
      'dataset.csv': Buffer.from(`rally_length,outcome\n${seed.length},winner\n7,forced_error\n`),
      'report.json': Buffer.from(`${JSON.stringify({ seed, accuracy: 0.5 })}\n`),
    },
  };
}

/** `<parent>/<id>/{model.json,dataset.csv,report.json}` (or another folder name). */
export async function writeRunFolder(parent: string, model: FakeModel, folderName: string = model.id): Promise<string> {
  const dir = join(parent, folderName);
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(model.files)) await writeFile(join(dir, name), bytes);
  return dir;
}

/** Awaits a rejection and checks it is a one-sentence RallyError with `code`. */
export async function expectRallyError(promise: Promise<unknown> | (() => unknown), code: ErrorCode): Promise<RallyError> {
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (caught) {
    error = caught;
  }
  expect(error, `expected a RallyError ${code}`).toBeInstanceOf(RallyError);
  const rally = error as RallyError;
  expect(rally.code, rally.message).toBe(code);
  expect(rally.message).not.toContain('\n');
  expect(rally.message).toMatch(/[.]$/);
  return rally;
}
