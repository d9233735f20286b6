import { useState } from 'react';

/** Copies `text` to the clipboard; falls back to selecting it when the Clipboard API is unavailable (plain http). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = document.createElement('textarea');
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <button type="button" className="secondary small" onClick={() => void copy()}>
      {copied ? 'Copied' : label}
    </button>
  );
}
