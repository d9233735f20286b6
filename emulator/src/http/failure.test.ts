import { describe, expect, it } from 'vitest';
import { envelope, summarize, tag } from './failure.ts';
import { headerSafeJson } from './header-json.ts';

describe('error envelopes', () => {
  it('summarises nested, inlined and reason-only errors like Dropbox', () => {
    expect(summarize(tag('path', tag('not_found')))).toBe('path/not_found/');
    expect(summarize(tag('path', { reason: tag('conflict', tag('file')), upload_session_id: 'x' }))).toBe('path/conflict/file/');
    expect(summarize(tag('incorrect_offset', { correct_offset: 4 }))).toBe('incorrect_offset/');
    expect(summarize({ reason: tag('too_many_requests'), retry_after: 1 })).toBe('too_many_requests/');
  });

  it('adds 0-3 dots that vary between calls', () => {
    const summaries = new Set(Array.from({ length: 200 }, () => envelope(tag('missing_scope')).error_summary));
    expect([...summaries].sort()).toEqual(['missing_scope/', 'missing_scope/.', 'missing_scope/..', 'missing_scope/...']);
  });
});

describe('headerSafeJson', () => {
  it('escapes every character from U+007F as \\uXXXX, including surrogate pairs, and stays valid JSON', () => {
    const value = { name: 'a\u007fé数😀' };
    const text = headerSafeJson(value);
    expect(text).toBe('{"name":"a\\u007f\\u00e9\\u6570\\ud83d\\ude00"}');
    expect(JSON.parse(text)).toEqual(value);
  });
});
