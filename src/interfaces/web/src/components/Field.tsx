import type { ReactNode } from 'react';

/** A labelled form row with an optional hint and an inline validation message. */
export function Field({ label, htmlFor, error, hint, children }: { label: string; htmlFor: string; error?: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className={error ? 'field has-error' : 'field'}>
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {hint && !error && <div className="hint">{hint}</div>}
      {error && (
        <div className="field-error" role="alert" id={`${htmlFor}-error`}>
          {error}
        </div>
      )}
    </div>
  );
}
