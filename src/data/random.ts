// Seeded randomness, so that scenarios, initial weights and batches are reproducible.

/** mulberry32: a small, fast 32-bit PRNG (Tommy Ettinger's constants). Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw by the Box-Muller transform. */
export function normal(rand: () => number): number {
  const u = 1 - rand(); // in (0, 1]
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Picks one element uniformly. */
export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

/** `count` elements picked uniformly and independently (with replacement). */
export function pickMany<T>(rand: () => number, items: readonly T[], count: number): T[] {
  return Array.from({ length: count }, () => pick(rand, items));
}

/** Fisher-Yates shuffle, in place. */
export function shuffle<T>(rand: () => number, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
