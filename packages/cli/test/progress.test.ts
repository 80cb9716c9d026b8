// @module-tag unit
/**
 * The training progress printer on a clock of its own: piped, stamped lines per fold and setting
 * and a line at least every 2 s while a fit runs, with an estimate of the time left; on a
 * terminal, one bar rewritten in place. Nothing on stdout.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '@rally/train';
import { formatSettings } from '@rally/train';
import { progressPrinter } from '../src/commands/train.ts';
import { createContext } from '../src/convention.ts';

function printer(terminal: boolean) {
  let clock = 0;
  const stderr = Object.assign(new PassThrough(), { isTTY: terminal });
  const stdout = new PassThrough();
  let err = '';
  let out = '';
  stderr.on('data', (chunk) => (err += chunk));
  stdout.on('data', (chunk) => (out += chunk));
  const ctx = createContext({ stdin: new PassThrough(), stdout, stderr }, { NO_COLOR: '1', TERM: 'xterm' });
  // 3 CV folds and the final fit, 4 fits of 10 trees each.
  const print = progressPrinter(ctx, 4, 3, formatSettings, () => clock);
  return {
    at: (ms: number, event: ProgressEvent) => {
      clock = ms;
      print(event);
    },
    err: () => err,
    out: () => out,
  };
}

/** Three folds of ten trees, a tree every 300 ms, then a final fit of ten trees, one every 900 ms. */
function run(p: ReturnType<typeof printer>): void {
  let t = 0;
  p.at(t, { phase: 'validated', rows: 500 });
  for (let fold = 1; fold <= 3; fold++) {
    for (let built = 1; built <= 10; built++) p.at((t += 300), { phase: 'tree', built, total: 10, stage: `CV max_depth=12 fold ${fold}/3` });
    p.at(t, { phase: 'fold', fold, folds: 3, maxDepth: 12, logLoss: 0.5 });
  }
  p.at(t, { phase: 'fitting' });
  for (let built = 1; built <= 10; built++) p.at((t += 900), { phase: 'tree', built, total: 10, stage: 'final fit' });
  p.at(t, { phase: 'done', modelId: 'x' });
}

describe('training progress', () => {
  it('piped: a stamped line per step, one at least every 2 s during a long fit, the time left estimated', () => {
    const p = printer(false);
    run(p);
    const lines = p.err().trimEnd().split('\n');
    expect(p.out()).toBe('');
    expect(lines[0]).toBe('[   0.0 s] Data valid: 500 rows.');
    expect(lines).toContain('[   3.0 s] CV max_depth=12 fold 1/3: log loss 0.5000 (25% of the run, about 9 s left)');
    expect(lines).toContain('[   9.0 s] Fitting the final model on the training part...');
    const stamps = lines.map((line) => Number(/^\[\s*([\d.]+) s\]/.exec(line)![1]));
    const gaps = stamps.slice(1).map((s, i) => s - stamps[i]!);
    expect(Math.max(...gaps)).toBeLessThan(2.75); // 2 s and the tree that passes it
    const heartbeat = lines.filter((line) => /final fit: \d+\/10 trees/.test(line));
    expect(heartbeat.length).toBeGreaterThanOrEqual(3);
    expect(heartbeat[0]).toMatch(/^\[\s*11\.7 s\] final fit: 3\/10 trees \(82% of the run, about 2 s left\)$/);
  });

  it('on a terminal: one bar, rewritten, with the stage, the percentage and the time left; fold lines above it', () => {
    const p = printer(true);
    run(p);
    const err = p.err();
    expect(err).toMatch(/\r\[#{8}\.{22}\] 25%  CV max_depth=12 fold 1\/3  3 s, about 9 s left\x1b\[K/);
    expect(err).toContain('\r\x1b[KCV max_depth=12 fold 2/3: log loss 0.5000 (50% of the run, about 6 s left)\n');
    expect(err).not.toMatch(/^\[\s*\d/m); // no stamps on a terminal: the bar shows the time
    expect(err.endsWith('\r\x1b[K')).toBe(true); // the bar cleared at the end
  });
});
