import { Field } from '../components/Field.tsx';

export type RetentionMode = 'all' | 'last' | 'calendar';
export interface RetentionValue {
  mode: RetentionMode;
  keepLast: string;
  daily: string;
  weekly: string;
  monthly: string;
  yearly: string;
}

const CALENDAR = [
  ['daily', 'Days'],
  ['weekly', 'Weeks'],
  ['monthly', 'Months'],
  ['yearly', 'Years'],
] as const;

/** Keep everything, the last N backups, or the newest backup of each of the last N days/weeks/months/years. */
export function RetentionFields({ value, onChange, errors }: { value: RetentionValue; onChange: (value: RetentionValue) => void; errors: Record<string, string> }) {
  const mode = (next: RetentionMode) => onChange({ ...value, mode: next });
  return (
    <fieldset className="plain" aria-label="Retention">
      <div className="presets" role="radiogroup">
        <label className="check"><input type="radio" name="retention" checked={value.mode === 'all'} onChange={() => mode('all')} /> Keep all</label>
        <label className="check"><input type="radio" name="retention" checked={value.mode === 'last'} onChange={() => mode('last')} /> Keep the last N</label>
        <label className="check"><input type="radio" name="retention" checked={value.mode === 'calendar'} onChange={() => mode('calendar')} /> Daily / weekly / monthly / yearly</label>
      </div>
      {value.mode === 'last' && (
        <Field label="Backups to keep" htmlFor="retention-last" error={errors['retention.keepLast']}>
          <input id="retention-last" inputMode="numeric" value={value.keepLast} onChange={(event) => onChange({ ...value, keepLast: event.target.value })} />
        </Field>
      )}
      {value.mode === 'calendar' && (
        <div className="row">
          {CALENDAR.map(([field, label]) => (
            <Field key={field} label={label} htmlFor={`retention-${field}`} error={errors[`retention.${field}`]}>
              <input id={`retention-${field}`} inputMode="numeric" value={value[field]} onChange={(event) => onChange({ ...value, [field]: event.target.value })} />
            </Field>
          ))}
        </div>
      )}
      {errors.retention && <div className="field-error" role="alert">{errors.retention}</div>}
      <div className="hint small muted">Applied after each successful backup, per destination, to this job's folder only. The backup just made is always kept.</div>
    </fieldset>
  );
}

/** The API's retention object for a form value. */
export function retentionInput(value: RetentionValue): Record<string, string> {
  if (value.mode === 'last') return { keepLast: value.keepLast };
  if (value.mode === 'calendar') return { daily: value.daily, weekly: value.weekly, monthly: value.monthly, yearly: value.yearly };
  return {};
}

export function retentionValue(retention: Partial<Record<'keepLast' | 'daily' | 'weekly' | 'monthly' | 'yearly', number>>): RetentionValue {
  const text = (n: number | undefined) => (n === undefined ? '' : String(n));
  const mode: RetentionMode = retention.keepLast ? 'last' : retention.daily || retention.weekly || retention.monthly || retention.yearly ? 'calendar' : 'all';
  return { mode, keepLast: text(retention.keepLast), daily: text(retention.daily), weekly: text(retention.weekly), monthly: text(retention.monthly), yearly: text(retention.yearly) };
}
