/** A progress bar: determinate with a fraction (0–1), indeterminate (moving) without one. */
export function ProgressBar({ fraction, label }: { fraction: number | undefined; label: string }) {
  if (fraction === undefined) {
    return (
      <div className="progress indeterminate" role="progressbar" aria-label={label}>
        <div />
      </div>
    );
  }
  const percent = Math.round(Math.min(Math.max(fraction, 0), 1) * 100);
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div style={{ width: `${percent}%` }} />
    </div>
  );
}
