// @module-tag unit
import { describe, expect, it } from 'vitest';
import { Turns } from '../src/plugins/turns.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Takes a turn and records, in `order`, when it starts. */
function taker(turns: Turns, name: string, order: string[]) {
  return turns.take().then((release) => {
    order.push(name);
    return release;
  });
}

describe('Turns (the admission queue of large bodies)', () => {
  it('starts even a free turn on a later turn of the event loop, never synchronously', async () => {
    const order: string[] = [];
    const first = taker(new Turns(), 'a', order);
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual([]);
    (await first)();
    expect(order).toEqual(['a']);
  });

  it('gives one turn at a time, in the order asked', async () => {
    const turns = new Turns();
    const order: string[] = [];
    const a = taker(turns, 'a', order);
    const b = taker(turns, 'b', order);
    const c = taker(turns, 'c', order);
    const releaseA = await a;
    for (let i = 0; i < 5; i++) await tick();
    expect(order).toEqual(['a']);
    releaseA();
    const releaseB = await b;
    for (let i = 0; i < 5; i++) await tick();
    expect(order).toEqual(['a', 'b']);
    releaseB();
    (await c)();
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('releasing twice hands on one turn only', async () => {
    const turns = new Turns();
    const order: string[] = [];
    const releaseA = await taker(turns, 'a', order);
    const b = taker(turns, 'b', order);
    void taker(turns, 'c', order);
    releaseA();
    releaseA();
    await b;
    for (let i = 0; i < 5; i++) await tick();
    expect(order).toEqual(['a', 'b']);
  });

  it('is free again once every turn is released', async () => {
    const turns = new Turns();
    const order: string[] = [];
    (await taker(turns, 'a', order))();
    (await taker(turns, 'b', order))();
    const c = taker(turns, 'c', order);
    for (let i = 0; i < 3; i++) await tick();
    expect(order).toEqual(['a', 'b', 'c']);
    (await c)();
  });
});
