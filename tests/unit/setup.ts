// Every unit test draws its comparison ids from a seeded counter instead of crypto.randomUUID, so
// nothing that depends on ids (the held-out split hashes them) changes from one run to the next.
import { beforeEach, vi } from 'vitest';

beforeEach(() => {
  let n = 0;
  vi.spyOn(globalThis.crypto, 'randomUUID').mockImplementation(
    () =>
      `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}` as `${string}-${string}-${string}-${string}-${string}`,
  );
});
