import { formatBytes } from './format.ts';
import type { Dashboard } from './types.ts';

const PALETTE = ['#0061fe', '#2e9d5b', '#e6a700', '#9e3fd6', '#d92d20', '#0e9384', '#c4320a', '#667085'];
const WIDTH = 640;
const HEIGHT = 200;
const LEFT = 64;
const BOTTOM = 22;
const TOP = 10;
const RIGHT = 10;

/** Stored backup size per job over the window, one line per job. Plain SVG. */
export function SizeChart({ sizes, days }: { sizes: Dashboard['sizes']; days: number }) {
  const end = Date.now();
  const start = end - days * 86_400_000;
  const max = Math.max(1, ...sizes.flatMap((series) => series.points.map((point) => point.storedBytes)));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - BOTTOM - TOP;
  const x = (iso: string) => LEFT + ((new Date(iso).getTime() - start) / (end - start)) * plotWidth;
  const y = (bytes: number) => TOP + plotHeight - (bytes / max) * plotHeight;
  const day = (at: number) => new Date(at).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });

  return (
    <figure className="chart-figure">
      <svg className="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Stored backup size per job over time" data-testid="size-chart">
        {[0, 0.5, 1].map((fraction) => (
          <g key={fraction}>
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={y(max * fraction)} y2={y(max * fraction)} stroke={fraction === 0 ? '#d9dee7' : '#eef1f5'} strokeDasharray={fraction === 0 ? undefined : '3 3'} />
            <text x={LEFT - 6} y={y(max * fraction) + 4} textAnchor="end">{formatBytes(max * fraction)}</text>
          </g>
        ))}
        <text x={LEFT} y={HEIGHT - 6} textAnchor="start">{day(start)}</text>
        <text x={WIDTH - RIGHT} y={HEIGHT - 6} textAnchor="end">{day(end)}</text>
        {sizes.map((series, index) => {
          const color = PALETTE[index % PALETTE.length];
          const points = series.points.map((point) => `${x(point.at).toFixed(1)},${y(point.storedBytes).toFixed(1)}`).join(' ');
          return (
            <g key={series.jobId} data-job={series.jobName}>
              {series.points.length > 1 && <polyline points={points} fill="none" stroke={color} strokeWidth={2} />}
              {series.points.map((point) => (
                <circle key={point.at} cx={x(point.at)} cy={y(point.storedBytes)} r={3.5} fill={color}>
                  <title>{`${series.jobName}: ${formatBytes(point.storedBytes)} stored (dump ${formatBytes(point.dumpBytes)}), ${new Date(point.at).toLocaleString()}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        {sizes.map((series, index) => (
          <span key={series.jobId}><i style={{ background: PALETTE[index % PALETTE.length] }} />{series.jobName}</span>
        ))}
      </figcaption>
    </figure>
  );
}
