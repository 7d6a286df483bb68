// Learning-rate schedule: linear warmup, then cosine decay to a tenth of the peak
// (the schedule of GPT-2/3-style training and nanoGPT):
//   lr(t) = peak * t / warmup                                          for t < warmup
//   lr(t) = floor + (peak - floor) * (1 + cos(pi * progress)) / 2      after, progress in [0, 1]

export function learningRate(step: number, peak: number, warmupSteps: number, totalSteps: number): number {
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  const floor = peak / 10;
  const progress = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
  return floor + ((peak - floor) * (1 + Math.cos(Math.PI * progress))) / 2;
}
