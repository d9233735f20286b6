import type { Dashboard } from './types.ts';

const COLORS = { success: '#2e9d5b', partial: '#e6a700', failed: '#d92d20' } as const;
const WIDTH = 640;
const HEIGHT = 200;
const LEFT = 28;
const BOTTOM = 22;
const TOP = 8;

/** Stacked bars per day: successful, partial and failed (or interrupted) backups. Plain SVG. */
export function OutcomesChart({ outcomes }: { outcomes: Dashboard['outcomes'] }) {
  const max = Math.max(1, ...outcomes.map((day) => day.success + day.partial + day.failed));
  const plotWidth = WIDTH - LEFT - 4;
  const plotHeight = HEIGHT - BOTTOM - TOP;
  const slot = plotWidth / Math.max(outcomes.length, 1);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (value: number) => TOP + plotHeight - (value / max) * plotHeight;
  const labelEvery = Math.ceil(outcomes.length / 7);
  const total = outcomes.reduce((sum, day) => sum + day.success + day.partial + day.failed, 0);

  return (
    <figure className="chart-figure">
      <svg className="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`Backup outcomes per day over the last ${outcomes.length} days: ${total} runs`} data-testid="outcomes-chart">
        <line x1={LEFT} x2={WIDTH - 4} y1={y(0)} y2={y(0)} stroke="#d9dee7" />
        <line x1={LEFT} x2={WIDTH - 4} y1={y(max)} y2={y(max)} stroke="#eef1f5" strokeDasharray="3 3" />
        <text x={LEFT - 6} y={y(0) + 4} textAnchor="end">0</text>
        <text x={LEFT - 6} y={y(max) + 4} textAnchor="end">{max}</text>
        {outcomes.map((day, index) => {
          const x = LEFT + index * slot + (slot - barWidth) / 2;
          let base = 0;
          const parts = (['success', 'partial', 'failed'] as const).map((kind) => {
            const value = day[kind];
            const rect = value > 0 ? <rect key={kind} x={x} width={barWidth} y={y(base + value)} height={y(base) - y(base + value)} fill={COLORS[kind]} data-kind={kind} /> : null;
            base += value;
            return rect;
          });
          return (
            <g key={day.day} data-day={day.day}>
              <title>{`${day.day}: ${day.success} successful, ${day.partial} partial, ${day.failed} failed`}</title>
              <rect x={LEFT + index * slot} width={slot} y={TOP} height={plotHeight} fill="transparent" />
              {parts}
              {index % labelEvery === 0 && <text x={x + barWidth / 2} y={HEIGHT - 6} textAnchor="middle">{day.day.slice(5)}</text>}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        <span><i style={{ background: COLORS.success }} />Success</span>
        <span><i style={{ background: COLORS.partial }} />Partial</span>
        <span><i style={{ background: COLORS.failed }} />Failed / interrupted</span>
      </figcaption>
    </figure>
  );
}
