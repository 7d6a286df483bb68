// Checkpoint bytes that arrive as a view into a larger buffer (a Node Buffer read from disk, a
// slice of a session file) must be read at their own offset, whatever its alignment.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/model/checkpoint';

const FILE = 'public/checkpoints/reviews-tiny-pretrain.ckpt';

describe('decodeCheckpoint reads views', () => {
  it('a Node Buffer read from disk gives exactly the declared weights', () => {
    const buffer = readFileSync(FILE);
    const copy = new Uint8Array(buffer); // a plain copy at offset 0: the reference reading
    const expected = decodeCheckpoint(copy).weights;
    expect(expected.length).toBe(6993);
    const fromBuffer = decodeCheckpoint(buffer);
    expect(fromBuffer.weights.length).toBe(6993);
    expect(fromBuffer.weights).toEqual(expected);
  });

  it('a Node Buffer that is a view into a larger ArrayBuffer, at aligned and unaligned offsets', () => {
    const file = new Uint8Array(readFileSync(FILE));
    const expected = decodeCheckpoint(file).weights;
    for (const offset of [4, 8, 1, 3, 6]) {
      const big = new ArrayBuffer(offset + file.length + 13);
      new Uint8Array(big).fill(0x7f); // junk around the file: reading it would give NaN-ish floats
      new Uint8Array(big, offset, file.length).set(file);
      const view = Buffer.from(big, offset, file.length);
      expect(view.byteOffset).toBe(offset);
      const got = decodeCheckpoint(view);
      expect(got.weights.length).toBe(expected.length);
      expect(got.weights).toEqual(expected);
      // The weights are the checkpoint's own: changing the input afterwards does not change them.
      view.fill(0);
      expect(got.weights).toEqual(expected);
    }
  });

  it('a Uint8Array subarray of a session-like container decodes, and re-encodes to the same bytes', () => {
    const file = new Uint8Array(readFileSync(FILE));
    const container = new Uint8Array(file.length + 7);
    container.set(file, 5);
    const got = decodeCheckpoint(container.subarray(5, 5 + file.length));
    expect(encodeCheckpoint(got)).toEqual(file);
  });

  it('a header with meta fields of the wrong type or length is refused', () => {
    const good = decodeCheckpoint(new Uint8Array(readFileSync(FILE)));
    const withMeta = (meta: unknown) => encodeCheckpoint({ ...good, meta: meta as typeof good.meta });
    expect(() => decodeCheckpoint(withMeta({ ...good.meta, step: 'many' }))).toThrow(/meta.*step/);
    expect(() => decodeCheckpoint(withMeta({ ...good.meta, createdAt: 'x'.repeat(10_000) }))).toThrow(
      /meta.*createdAt/,
    );
    expect(() => decodeCheckpoint(withMeta('just text'))).toThrow(/meta/);
    expect(decodeCheckpoint(withMeta(good.meta)).meta).toEqual(good.meta);
  });
});
