// @module-tag unit
/**
 * trainRun starts the forest's worker threads early (while the data loads) unless told to build
 * in this thread: `workers: 0` must start none. warmTreeWorkers is spied on, and the runs stop at
 * once on a missing file, after the point where the threads would have been started.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '@rally/testkit';
import { warmTreeWorkers } from '@rally/forest';
import { trainRun } from '../src/index.ts';

vi.mock('@rally/forest', async (importOriginal) => ({ ...(await importOriginal<typeof import('@rally/forest')>()), warmTreeWorkers: vi.fn() }));

const missing = join(tempDir('no-data'), 'missing.csv');

beforeEach(() => {
  vi.mocked(warmTreeWorkers).mockClear();
});

describe('trainRun and the tree worker threads', () => {
  it.each([
    [undefined, 1],
    [1, 1],
    [4, 1],
    [0, 0],
  ])('with workers %s, warms the worker threads %i time(s)', async (workers, times) => {
    await expect(trainRun({ dataPath: missing, workers })).rejects.toThrow();
    expect(warmTreeWorkers).toHaveBeenCalledTimes(times);
  });
});
