/**
 * Turns byte counts into a rate and an ETA. The total is unknown while dumping, so the ETA uses
 * the size of the job's previous successful dump when there is one.
 */
export function progressFigures(bytes: number, elapsedMs: number, expectedTotal: number | undefined): { rate: number | undefined; etaSeconds: number | undefined } {
  if (elapsedMs < 500 || bytes === 0) return { rate: undefined, etaSeconds: undefined };
  const rate = Math.round((bytes * 1000) / elapsedMs);
  if (!expectedTotal || expectedTotal <= bytes) return { rate, etaSeconds: undefined };
  return { rate, etaSeconds: Math.ceil((expectedTotal - bytes) / rate) };
}
