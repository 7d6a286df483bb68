// How far a share measured on few pairs can be trusted: the Wilson score interval (Wilson 1927),
// which stays inside [0, 1] and stays honest at 0 or n successes, unlike p +- z sqrt(p(1-p)/n).

/**
 * Wilson interval of k successes in n trials, with p = k/n and z = 1.96 for 95%:
 *   (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n).   null when n = 0.
 */
export function wilsonInterval(k: number, n: number, z = 1.96): { low: number; high: number } | null {
  if (!(n > 0)) return null;
  const p = k / n;
  const z2 = z * z;
  const center = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const scale = 1 + z2 / n;
  return { low: Math.max(0, (center - spread) / scale), high: Math.min(1, (center + spread) / scale) };
}
