// Ratings in the reward model and the worker (CPU backend, tiny model): the loss's rating terms
// against hand-computed values, then ratings saved, auto-rated, learnt from, undone, deleted,
// exported and imported back, and still there after a restart.
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { rewardModelLoss, pairAccuracy } from '../../src/rlhf/rewardLoss';
import { disposePlaygrounds, start } from './harness';
import { humanRating } from '../../src/data/ratings';
import { importRatings } from '../../src/data/ratingIO';

afterEach(disposePlaygrounds);

async function read(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

describe('the reward loss with ratings', () => {
  const sp = (x: number) => Math.log(1 + Math.exp(x)); // softplus

  it('adds each pair its own margin and learns a rated answer pointwise, as hand-computed', async () => {
    // Row 0: a rating pair, r_c - r_r = 1.5, its margin 0.5: -log sigmoid(1.0) = softplus(-1).
    // Row 1: a pointwise rating with r = 2 (chosen = rejected), target 0.25: 0.25 softplus(-2) + 0.75 softplus(2).
    // Row 2: a labelled pair with the settings' margin 1 and no margin of its own: softplus(-(0.5 - 1)).
    const rc = [2, 2, 1];
    const rr = [0.5, 2, 0.5];
    const [value] = await read(
      tf.tidy(() =>
        rewardModelLoss(
          tf.tensor1d(rc),
          tf.tensor1d(rr),
          tf.tensor1d([1, 0.25, 1]),
          tf.tensor1d([1, 0.5, 1]),
          {
            margin: 1,
            centering: 0,
          },
          { margins: tf.tensor1d([-0.5, 0, 0]), pointwise: tf.tensor1d([0, 1, 0]) },
        ),
      ),
    );
    // Row 0 also gets the settings' margin 1 (target 1): d = 1.5 - 1 - (-0.5) = 1.
    const perRow = [sp(-1), 0.25 * sp(-2) + 0.75 * sp(2), sp(0.5)];
    expect(value).toBeCloseTo((perRow[0] + 0.5 * perRow[1] + perRow[2]) / 2.5, 5);
  });

  it('leaves pointwise rows out of the centring term and of the accuracy', async () => {
    const terms = () => ({ margins: tf.tensor1d([0, 0]), pointwise: tf.tensor1d([0, 1]) });
    const [withCentring] = await read(
      tf.tidy(() =>
        rewardModelLoss(
          tf.tensor1d([2, 3]),
          tf.tensor1d([0.5, 3]),
          tf.tensor1d([1, 1]),
          tf.tensor1d([1, 1]),
          {
            margin: 0,
            centering: 0.1,
          },
          terms(),
        ),
      ),
    );
    // mean over the one pair row: 0.1 * (2 + 0.5)^2 = 0.625, on top of (softplus(-1.5) + softplus(-3)) / 2
    expect(withCentring).toBeCloseTo((sp(-1.5) + sp(-3)) / 2 + 0.625, 5);
    // the pointwise row (target 1, "chosen" 3 > "rejected" 3 is false) does not count as a wrong pair
    const [accuracy] = await read(
      tf.tidy(() => pairAccuracy(tf.tensor1d([2, 3]), tf.tensor1d([0.5, 3]), tf.tensor1d([1, 1]), tf.tensor1d([0, 1]))),
    );
    expect(accuracy).toBe(1);
  });
});

describe('ratings through the worker', () => {
  it('are saved, learnt from, undone, deleted, exported and imported, and survive a restart', async () => {
    const first = start(true);
    const ratings = first.ratings;
    await first.send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await first.pg.idle();
    const lastRatings = () => first.of('ratings').at(-1)!.ratings;

    // A person rates two answers of one prompt, differently: saved by the page first, as with pairs.
    await first.send({ type: 'nextAnswers' });
    const answers = first.of('answers').at(-1)!.answers;
    expect(answers.completions.length).toBeGreaterThanOrEqual(1);
    const up = humanRating(
      { prompt: answers.prompt, completion: 'great food , lovely staff .' },
      'thumbs',
      1,
      'reviews',
    );
    const down = humanRating(
      { prompt: answers.prompt, completion: 'awful food , rude staff .' },
      'thumbs',
      0,
      'reviews',
    );
    await ratings.add([up, down]);
    const stepsBefore = first.of('rewardMetrics').length;
    await first.send({ type: 'ratingsSaved', ratings: [up, down] });
    await first.pg.idle();
    expect(lastRatings().map((r) => r.id)).toEqual([up.id, down.id]);
    expect(first.of('rewardMetrics').length).toBeGreaterThan(stepsBefore); // the reward model learnt from them

    // A simulated annotator rates 8 answers (two prompts of four) on the 1-7 scale.
    await first.send({ type: 'autoRate', labelerId: 'positive', count: 8, scale: 'seven' });
    await first.pg.idle();
    const auto = lastRatings().filter((r) => r.annotator === 'positive');
    expect(auto).toHaveLength(8);
    expect(auto.every((r) => r.scale === 'seven' && Number.isInteger(r.value) && r.value >= 1 && r.value <= 7)).toBe(
      true,
    );
    expect(new Set(auto.map((r) => r.prompt)).size).toBe(2);
    expect(ratings.kept).toHaveLength(10);

    // Undo takes back the whole auto-rated batch; delete removes one rating.
    await first.send({ type: 'undoLabel' });
    await first.pg.idle();
    expect(lastRatings().map((r) => r.id)).toEqual([up.id, down.id]);
    await first.send({ type: 'deleteRating', id: down.id });
    await first.pg.idle();
    expect(ratings.kept.map((r) => r.id)).toEqual([up.id]);

    // Export, then import into a fresh store: the same prompt, answer and value come back, as an import.
    await first.send({ type: 'exportRatings' });
    const file = first.of('ratingsFile').at(-1)!;
    expect(file.filename).toMatch(/^ratings-reviews-\d{4}-\d{2}-\d{2}\.jsonl$/);
    expect(JSON.parse(file.text.trim())).toMatchObject({ prompt: up.prompt, completion: up.completion, label: true });

    // A restart (a new worker on the same stores) brings the rating back; the file then adds nothing new.
    const second = start(true, undefined, undefined, 0, ratings);
    await second.send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await second.pg.idle();
    expect(
      second
        .of('ratings')
        .at(-1)!
        .ratings.map((r) => r.id),
    ).toEqual([up.id]);
    await second.send({ type: 'importPreferences', text: file.text, name: 'mine.jsonl' });
    await second.pg.idle();
    expect(second.of('notice').at(-1)!.message).toContain('Imported 0 rating(s) from mine.jsonl (1 already here');
    const parsed = importRatings(file.text, { scenario: 'reviews' });
    expect(parsed.ok && parsed.ratings[0]).toMatchObject({
      prompt: up.prompt,
      value: 1,
      scale: 'thumbs',
      source: 'import',
    });
  });

  it('undo takes back the newest action, whichever kind it was', async () => {
    const { send, pg, of, judge, ratings } = start(true);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await pg.idle();
    await send({ type: 'nextPair' });
    const pair = of('pair').at(-1)!.pair;
    await judge(pair, 'left');
    const rated = humanRating({ prompt: pair.prompt, completion: pair.left }, 'seven', 5, 'reviews');
    await ratings.add([rated]);
    await send({ type: 'ratingsSaved', ratings: [rated] });
    await pg.idle();
    await send({ type: 'undoLabel' }); // the rating came last
    await pg.idle();
    expect(of('ratings').at(-1)!.ratings).toEqual([]);
    expect(of('preferences').at(-1)!.comparisons).toHaveLength(1);
    await send({ type: 'undoLabel' });
    await pg.idle();
    expect(of('preferences').at(-1)!.comparisons).toHaveLength(0);
  });

  it('refuses a bad ratings file whole and changes nothing', async () => {
    const { send, pg, of, ratings } = start(true);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await pg.idle();
    const text =
      '{"prompt":"review :","completion":"good .","label":true}\n{"prompt":"review :","completion":"bad .","rating":9}\n';
    await send({ type: 'importPreferences', text, name: 'bad.jsonl' });
    await pg.idle();
    const notice = of('notice').at(-1)!;
    expect(notice.level).toBe('error');
    expect(notice.message).toMatch(/^bad\.jsonl was not imported: line 2: "rating" is 9/);
    expect(ratings.kept).toHaveLength(0);
  });
});
