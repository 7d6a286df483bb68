// The page's side of the label loop (src/ui/labelDesk.svelte.ts): a judged pair leaves the screen and
// the next one shows at once; a saved label is counted before the worker has it, once it has it, and
// not at all if the store refused it; a refused pair request stops further requests until cleared.
import { describe, expect, it } from 'vitest';
import { LabelDesk, PAIRS_HELD } from '../../src/ui/labelDesk.svelte';
import { judgedPair } from '../../src/data/preferences';
import type { PairToLabel } from '../../src/engine/protocol';

const pair = (id: string): PairToLabel => ({ id, prompt: `p${id}`, left: 'a', right: 'b' });

describe('the label desk', () => {
  it('keeps PAIRS_HELD pairs on hand and shows the next one the moment one is taken', () => {
    const desk = new LabelDesk();
    expect(desk.toAsk).toBe(PAIRS_HELD);
    desk.requests = PAIRS_HELD;
    expect(desk.toAsk).toBe(0);
    desk.received(pair('1'));
    desk.received(pair('2'));
    expect(desk.queue.map((p) => p.id)).toEqual(['1', '2']);
    expect(desk.take()!.id).toBe('1');
    expect(desk.queue[0].id).toBe('2');
    expect(desk.toAsk).toBe(PAIRS_HELD - 1 - 1); // one on hand, one request still out
    desk.refused('the model keeps writing the same pairs');
    expect(desk.toAsk).toBe(0); // no retry loop
    desk.problem = null;
    expect(desk.toAsk).toBe(PAIRS_HELD - 1);
  });

  it('counts a saved label at once, once when the worker has it too, and drops one the store refused', () => {
    const desk = new LabelDesk();
    const first = judgedPair(pair('1'), 'left', 'reviews');
    desk.dataset([], []);
    desk.addLocal([first]);
    expect(desk.comparisons.map((c) => c.id)).toEqual([first.id]);
    expect(desk.pChosen).toHaveLength(1);
    expect(Number.isNaN(desk.pChosen[0])).toBe(true);
    desk.dataset([first], [0.7]);
    expect(desk.comparisons).toHaveLength(1);
    expect(desk.local).toEqual([]);
    expect(desk.pChosen).toEqual([0.7]);
    const second = judgedPair(pair('2'), 'right', 'reviews');
    desk.addLocal([second]);
    desk.dropLocal([second], pair('2'));
    expect(desk.comparisons).toHaveLength(1);
    expect(desk.queue[0].id).toBe('2'); // the pair is back on screen
  });

  it("shows the stored labels before the worker speaks, and the worker's dataset after", () => {
    const desk = new LabelDesk();
    const stored = [judgedPair(pair('1'), 'left', 'reviews'), judgedPair(pair('2'), 'tie', 'reviews')];
    desk.showStored(stored);
    expect(desk.comparisons).toHaveLength(2);
    desk.dataset(stored.slice(0, 1), [0.5]);
    desk.showStored(stored); // too late: the worker's word stands
    expect(desk.comparisons).toHaveLength(1);
  });
});
