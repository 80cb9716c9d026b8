// @module-tag unit
import { describe, expect, it } from 'vitest';
import type { ModelStore } from '@rally/model-store';
import { CountingStore } from '../src/compare.ts';

/** A store that records each call and answers with something recognisable. */
function recordingStore() {
  const calls: unknown[][] = [];
  const answer =
    (name: string) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args]);
      return `${name} answer`;
    };
  const inner = {
    description: 'recording store',
    hasModel: answer('hasModel'),
    putModel: answer('putModel'),
    getArtifact: answer('getArtifact'),
    getChecksums: answer('getChecksums'),
    findChecksums: answer('findChecksums'),
    listModels: answer('listModels'),
    getProduction: answer('getProduction'),
    promote: answer('promote'),
    history: answer('history'),
  } as unknown as ModelStore;
  return { inner, calls };
}

describe('CountingStore', () => {
  it('passes every call through to the store it wraps, and counts only the artifact downloads', async () => {
    const { inner, calls } = recordingStore();
    const store = new CountingStore(inner);
    const files = { 'model.json': Buffer.from('m'), 'report.json': Buffer.from('r'), 'dataset.csv': Buffer.from('d') };
    const now = new Date('2026-01-01T00:00:00Z');
    expect(store.description).toBe('recording store');
    expect(await store.hasModel('a')).toBe('hasModel answer');
    expect(await store.putModel('a', files)).toBe('putModel answer');
    expect(await store.getChecksums('a')).toBe('getChecksums answer');
    expect(await store.findChecksums('b')).toBe('findChecksums answer');
    expect(await store.listModels()).toBe('listModels answer');
    expect(await store.getProduction()).toBe('getProduction answer');
    expect(await store.promote('a', now)).toBe('promote answer');
    expect(await store.history()).toBe('history answer');
    expect(store.downloads).toEqual([]);
    expect(await store.getArtifact('a', 'model.json')).toBe('getArtifact answer');
    expect(await store.getArtifact('a', 'dataset.csv')).toBe('getArtifact answer');
    expect(store.downloads).toEqual(['model.json', 'dataset.csv']);
    expect(calls).toEqual([
      ['hasModel', 'a'],
      ['putModel', 'a', files],
      ['getChecksums', 'a'],
      ['findChecksums', 'b'],
      ['listModels'],
      ['getProduction'],
      ['promote', 'a', now],
      ['history'],
      ['getArtifact', 'a', 'model.json'],
      ['getArtifact', 'a', 'dataset.csv'],
    ]);
  });
});
