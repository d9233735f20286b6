import { useEffect, useMemo, useState } from 'react';
import { api, ApiError } from '../api.ts';
import { Field } from '../components/Field.tsx';
import { errorText } from './format.ts';

export interface ScheduleValue {
  /** false = manual runs only. */
  enabled: boolean;
  cron: string;
  timezone: string;
}

const PRESET_LABELS: Record<string, string> = { hourly: 'Hourly', daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly' };

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

/** Presets, a cron expression and a time zone, with the next five runs previewed by the server. */
export function SchedulePicker({ value, onChange, errors }: { value: ScheduleValue; onChange: (value: ScheduleValue) => void; errors: Record<string, string> }) {
  const [presets, setPresets] = useState<Record<string, string>>({});
  // Tagged with the expression it answers, so an answer for an older input is never shown.
  const [preview, setPreview] = useState<({ next: string[] } | { error: string; field?: string }) & { for: string } | undefined>();
  const current = `${value.cron}\n${value.timezone}`;
  const zones = useMemo(timeZones, []);

  useEffect(() => {
    void api<{ presets: Record<string, string> }>('GET', '/api/schedules').then((body) => setPresets(body.presets), () => undefined);
  }, []);

  useEffect(() => {
    if (!value.enabled || value.cron.trim() === '') {
      setPreview(undefined);
      return;
    }
    const timer = setTimeout(() => {
      const key = `${value.cron}\n${value.timezone}`;
      api<{ next: string[] }>('POST', '/api/schedules/preview', { cron: value.cron, timezone: value.timezone }).then(
        (body) => setPreview({ ...body, for: key }),
        (error: unknown) => {
          const fields = error instanceof ApiError ? error.fields : {};
          const field = Object.keys(fields)[0];
          setPreview({ error: field ? (fields[field] ?? errorText(error)) : errorText(error), field, for: key });
        },
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [value.enabled, value.cron, value.timezone]);

  const shown = preview?.for === current ? preview : undefined;
  const previewError = shown && 'error' in shown ? shown : undefined;
  return (
    <fieldset className="plain">
      <label className="check">
        <input type="checkbox" checked={value.enabled} onChange={(event) => onChange({ ...value, enabled: event.target.checked })} />
        Run on a schedule (otherwise only with "Run now")
      </label>
      {value.enabled && (
        <>
          <div className="presets" role="group" aria-label="Schedule presets">
            {Object.entries(presets).map(([name, cron]) => (
              <button key={name} type="button" className="secondary small" aria-pressed={value.cron === cron} onClick={() => onChange({ ...value, cron })}>
                {PRESET_LABELS[name] ?? name}
              </button>
            ))}
          </div>
          <div className="row">
            <Field label="Cron expression" htmlFor="job-cron" error={errors.cron ?? (previewError?.field !== 'timezone' ? previewError?.error : undefined)} hint="minute hour day-of-month month day-of-week, e.g. 0 2 * * *">
              <input id="job-cron" value={value.cron} onChange={(event) => onChange({ ...value, cron: event.target.value })} />
            </Field>
            <Field label="Time zone" htmlFor="job-timezone" error={errors.timezone ?? (previewError?.field === 'timezone' ? previewError.error : undefined)}>
              <input id="job-timezone" list="time-zones" value={value.timezone} onChange={(event) => onChange({ ...value, timezone: event.target.value })} />
              <datalist id="time-zones">{zones.map((zone) => <option key={zone} value={zone} />)}</datalist>
            </Field>
          </div>
          {shown && 'next' in shown && (
            <div className="small" data-testid="schedule-preview">
              Next runs:
              <ol className="preview-list">{shown.next.map((at) => <li key={at}>{new Date(at).toLocaleString(undefined, { timeZone: value.timezone, dateStyle: 'medium', timeStyle: 'short' })} ({value.timezone})</li>)}</ol>
            </div>
          )}
        </>
      )}
    </fieldset>
  );
}
