import type { ReactNode } from 'react';

/** A dialog over the page; `footer` holds the buttons. */
export function Modal({ title, wide, onClose, children, footer }: { title: string; wide?: boolean; onClose: () => void; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="modal-backdrop">
      <div className={wide ? 'modal wide' : 'modal'} role="dialog" aria-modal="true" aria-label={title}>
        <header className="modal-header">
          <h2>{title}</h2>
          <button type="button" className="link" aria-label="Close dialog" onClick={onClose}>
            ×
          </button>
        </header>
        {children}
        {footer && <footer className="modal-footer">{footer}</footer>}
      </div>
    </div>
  );
}
