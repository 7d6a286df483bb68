// Combining preference datasets: an import merged into the labels already here (exact
// duplicates dropped), how far the annotators in one dataset agree with each other, and the
// sentence an import reports.

import type { Comparison } from './preferences';
import { cut } from './preferenceIO';

/** The agreement report compares at most this many annotators: those with most shared pairs. */
export const MAX_AGREEMENT_ANNOTATORS = 8;

/** The identity of a label for merging: the same texts, in the same order, by the same person. */
function labelKey(c: Comparison): string {
  return JSON.stringify([c.prompt, c.chosen, c.rejected, c.annotator]);
}

/** Adds incoming comparisons to existing ones, dropping exact duplicates (also within incoming). */
export function mergeDatasets(
  existing: readonly Comparison[],
  incoming: readonly Comparison[],
): { merged: Comparison[]; added: Comparison[]; duplicates: number } {
  return mergeByContent(existing, incoming, labelKey);
}

/** Adds incoming labels of any kind to existing ones, dropping those whose `key` is here already (also within incoming). */
export function mergeByContent<T>(
  existing: readonly T[],
  incoming: readonly T[],
  key: (label: T) => string,
): { merged: T[]; added: T[]; duplicates: number } {
  const seen = new Set(existing.map(key));
  const added: T[] = [];
  for (const label of incoming) {
    const k = key(label);
    if (seen.has(k)) continue;
    seen.add(k);
    added.push(label);
  }
  return { merged: [...existing, ...added], added, duplicates: incoming.length - added.length };
}

export interface Agreement {
  a: string;
  b: string;
  /** Items (prompt + unordered pair of texts) both annotators labelled. */
  shared: number;
  /** Fraction of the shared items where they gave the same label. */
  agreement: number;
}

/**
 * How often annotators agree, for every pair of annotators with items in common. Two labels of
 * an item agree when both prefer the same text, both say tie, or both say both bad. When one
 * annotator labelled an item twice, the later label counts. Only the MAX_AGREEMENT_ANNOTATORS
 * annotators with most shared items (ties: by name) are compared, so the report is O(items * K^2)
 * and of bounded size however many names a file brings; long names are cut short.
 */
export function annotatorAgreement(comparisons: readonly Comparison[]): Agreement[] {
  const items = new Map<string, Map<string, { label: string; at: number }>>(); // item -> annotator -> label
  for (const c of comparisons) {
    const [x, y] = c.chosen < c.rejected ? [c.chosen, c.rejected] : [c.rejected, c.chosen];
    const item = JSON.stringify([c.prompt, x, y]);
    const label = c.verdict === 'preferred' ? `preferred:${c.chosen}` : c.verdict;
    const byAnnotator = items.get(item) ?? new Map();
    items.set(item, byAnnotator);
    const previous = byAnnotator.get(c.annotator);
    if (!previous || previous.at <= c.createdAt) byAnnotator.set(c.annotator, { label, at: c.createdAt });
  }
  const sharedItems = new Map<string, number>(); // annotator -> items someone else labelled too
  for (const byAnnotator of items.values()) {
    if (byAnnotator.size > 1)
      for (const name of byAnnotator.keys()) sharedItems.set(name, (sharedItems.get(name) ?? 0) + 1);
  }
  const compared = new Set(
    [...sharedItems.entries()]
      .sort(([n1, s1], [n2, s2]) => s2 - s1 || (n1 < n2 ? -1 : n1 > n2 ? 1 : 0))
      .slice(0, MAX_AGREEMENT_ANNOTATORS)
      .map(([name]) => name),
  );
  const tally = new Map<string, { a: string; b: string; shared: number; agreed: number }>();
  for (const byAnnotator of items.values()) {
    if (byAnnotator.size < 2) continue;
    const names = [...byAnnotator.keys()].filter((n) => compared.has(n)).sort();
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        const key = JSON.stringify([names[i], names[j]]);
        const t = tally.get(key) ?? { a: names[i], b: names[j], shared: 0, agreed: 0 };
        tally.set(key, t);
        t.shared += 1;
        if (byAnnotator.get(names[i])!.label === byAnnotator.get(names[j])!.label) t.agreed += 1;
      }
    }
  }
  return [...tally.entries()]
    .sort(([k1], [k2]) => (k1 < k2 ? -1 : 1))
    .map(([, { a, b, shared, agreed }]) => ({ a: cut(a), b: cut(b), shared, agreement: agreed / shared }));
}

/** What an import did, in a sentence: how many came in, how many were here already, how far annotators agree. */
export function importReport(
  name: string,
  added: number,
  duplicates: number,
  all: readonly Comparison[],
  warnings: readonly string[],
): string {
  const agreements = annotatorAgreement(all)
    .filter((a) => a.shared > 0)
    .map((a) => `${a.a} and ${a.b} agree on ${Math.round(a.agreement * 100)}% of ${a.shared} shared pairs`);
  const skipped = duplicates ? ` (${duplicates} already here, skipped)` : '';
  return [`Imported ${added} comparisons from ${name}${skipped}.`, ...agreements, ...warnings].join(' ');
}
