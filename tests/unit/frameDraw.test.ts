// The charts' shared draw queue (src/ui/charts/frameDraw.ts): draws run on animation frames within a
// time budget per frame, a chart scheduled twice draws once, a cancelled draw does not run, and a
// draw that throws does not stop the others.
import { expect, it } from 'vitest';
import { DrawQueue, frameDraw } from '../../src/ui/charts/frameDraw';

it('spreads draws over frames by budget, runs each once, cancels, and survives a throw', () => {
  let now = 0;
  const frames: (() => void)[] = [];
  const queue = new DrawQueue(
    10,
    () => now,
    (f) => frames.push(f),
    () => void (frames.length = 0),
  );
  const log: string[] = [];
  const chart = (name: string, cost: number) =>
    frameDraw(() => {
      log.push(name);
      now += cost;
    }, queue);
  const [a, b, c] = [chart('a', 6), chart('b', 6), chart('c', 1)];
  a.schedule();
  b.schedule();
  a.schedule();
  c.schedule();
  expect(frames).toHaveLength(1);
  frames.shift()!(); // a (6 ms) and b (12 ms in all) use up the 10 ms budget: c waits a frame
  expect(log).toEqual(['a', 'b']);
  expect(frames).toHaveLength(1);
  frames.shift()!();
  expect(log).toEqual(['a', 'b', 'c']);
  expect(frames).toHaveLength(0);
  b.schedule();
  b.cancel();
  expect(queue.size).toBe(0);
  expect(frames).toHaveLength(0);
  const broken = frameDraw(() => {
    throw new Error('x');
  }, queue);
  broken.schedule();
  c.schedule();
  expect(() => frames.shift()!()).toThrow('x');
  expect(frames).toHaveLength(1);
  frames.shift()!();
  expect(log.at(-1)).toBe('c');
});
