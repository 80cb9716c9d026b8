// @module-tag integration
/**
 * The ONNX export, read back by ONNX Runtime itself (onnxruntime-node's CPU build): every
 * ground-truth row's probabilities within 1e-6 of rally's, the same labels, the declared inputs and
 * outputs; and the hand-written protobuf writer on values worked by hand.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { RandomForestClassifier } from '../src/index.ts';
import { toOnnxModel } from '../src/interop/onnx.ts';
import { ProtoWriter } from '../src/interop/protobuf.ts';
import { loadAustralianOpen, SUBSET_14 } from './helpers/australian-open.ts';

describe('a rally forest exported to ONNX', () => {
  it.each([
    ['the default settings', { nEstimators: 30, maxDepth: 12, minSamplesLeaf: 8, maxFeatures: 0.75, leafPrior: 0.05 }],
    ['the original\'s settings', { nEstimators: 20, maxDepth: 20, minSamplesLeaf: 1, maxFeatures: 'sqrt' as const, leafPrior: 0 }],
  ])('with %s: ONNX Runtime gives every ground-truth row rally\'s probabilities (1e-6) and labels', async (_name, params) => {
    const data = loadAustralianOpen({ columns: SUBSET_14 });
    const X = { data: data.data, rows: data.rows, cols: data.cols };
    const forest = await new RandomForestClassifier({ ...params, seed: 5 }).fit(X, data.y, { workers: 0 });
    const bytes = toOnnxModel(forest, { featureNames: SUBSET_14, metadata: { model_id: 'test' }, producerVersion: '0.1.0' });
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    expect(session.inputNames).toEqual(['X']);
    expect(session.outputNames).toEqual(['label', 'probabilities']);
    const out = await session.run({ X: new ort.Tensor('float64', X.data, [X.rows, X.cols]) });
    const probabilities = out.probabilities!;
    expect(probabilities.dims).toEqual([X.rows, 3]);
    const expected = forest.predictProba(X);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs((probabilities.data as Float32Array)[i]! - expected[i]!));
    expect(worst).toBeLessThan(1e-6);
    expect(Array.from(out.label!.data as string[])).toEqual(forest.predict(X));
    session.release?.();
  }, 60_000);

  it('refuses feature names that do not match the forest', async () => {
    const data = loadAustralianOpen({ columns: SUBSET_14, rows: 200 });
    const forest = await new RandomForestClassifier({ nEstimators: 2, seed: 1 }).fit({ data: data.data, rows: data.rows, cols: data.cols }, data.y, { workers: 0 });
    expect(() => toOnnxModel(forest, { featureNames: ['a', 'b'] })).toThrow(/2 feature names for a forest of 14 features/);
  });
});

describe('the protobuf writer', () => {
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

  it('writes varints, negative int64s, strings, nested messages, packed numbers, floats and doubles as the wire format says', () => {
    // Field 1 varint 150: 08 96 01 (the protobuf documentation's example).
    expect(hex(new ProtoWriter().int(1, 150).finish())).toBe('089601');
    // -1 as int64: ten bytes.
    expect(hex(new ProtoWriter().int(1, -1).finish())).toBe('08ffffffffffffffffff01');
    // Field 2 string "testing": 12 07 74 65 73 74 69 6e 67.
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
    // Field 3 message holding field 1 = 150: 1a 03 08 96 01.
    expect(hex(new ProtoWriter().message(3, (m) => m.int(1, 150)).finish())).toBe('1a03089601');
    // Field 4 packed [3, 270, 86942]: 22 06 03 8e 02 9e a7 05.
    expect(hex(new ProtoWriter().packedInts(4, [3, 270, 86942]).finish())).toBe('2206038e029ea705');
    expect(hex(new ProtoWriter().double(1, 1).finish())).toBe('09000000000000f03f');
    expect(hex(new ProtoWriter().float(1, 1).finish())).toBe('0d0000803f');
    expect(hex(new ProtoWriter().packedDoubles(1, [1, -2]).finish())).toBe('0a10000000000000f03f00000000000000c0');
    expect(hex(new ProtoWriter().packedFloats(1, [1]).finish())).toBe('0a040000803f');
  });
});
