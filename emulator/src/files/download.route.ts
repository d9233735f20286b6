import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { defineRoute } from '../api/route.ts';
import { field, struct } from '../http/decode.ts';
import { routeError, tag } from '../http/failure.ts';
import { headerSafeJson } from '../http/header-json.ts';
import { send } from '../http/respond.ts';
import { rev } from './args.ts';
import { fileMetadata } from './metadata.ts';
import { pathArg } from './paths.ts';
import { isViewRoot, lookup } from './view.ts';

export type ByteRange = { start: number; end: number } | 'unsatisfiable' | undefined;

/**
 * Parses a single `Range: bytes=a-b | a- | -n` header against a file size. Returns undefined for
 * no (or an unsupported, e.g. multi-part) range — the whole file is sent — and 'unsatisfiable' for 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== '' && Number(match[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

const downloadArg = struct({ path: field(pathArg('read')), rev: field(rev(), true) });

/**
 * files/download: file bytes streamed from disk, metadata in `Dropbox-API-Result` (ASCII-escaped
 * JSON), `ETag: W/"<rev>"` with If-None-Match → 304, and Range → 206 with an exact Content-Range.
 */
export const download = defineRoute({
  name: 'files/download',
  style: 'download',
  scope: 'files.content.read',
  arg: downloadArg,
  async handle(call, arg) {
    const view = call.view();
    const found = lookup(view, arg.rev !== undefined ? { kind: 'rev', rev: arg.rev } : arg.path!);
    if (found.kind === 'malformed') throw routeError(tag('path', tag('malformed_path')));
    if (found.kind !== 'node' || isViewRoot(view, found)) throw routeError(tag('path', tag('not_found')));
    const node = found.node;
    if (node.tag !== 'file') throw routeError(tag('path', tag('not_file')));

    const etag = `W/"${node.rev}"`;
    const headers: Record<string, string> = {
      'Dropbox-API-Result': headerSafeJson(fileMetadata(node, view, false)),
      ETag: etag,
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'no-cache',
    };
    const ifNoneMatch = call.req.headers['if-none-match'];
    if (ifNoneMatch !== undefined && ifNoneMatch.split(',').map((t) => t.trim()).some((t) => t === etag || t === `"${node.rev}"` || t === '*')) {
      await send(call, 304, undefined, '', headers);
      return;
    }
    const range = parseRange(call.req.headers.range, node.size);
    if (range === 'unsatisfiable') {
      await send(call, 416, 'text/plain; charset=utf-8', 'Requested range not satisfiable', { ...headers, 'Content-Range': `bytes */${node.size}` });
      return;
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? node.size - 1;
    const length = node.size === 0 ? 0 : end - start + 1;
    call.res.writeHead(range ? 206 : 200, {
      ...headers,
      'Content-Type': 'application/octet-stream',
      'Content-Length': length,
      ...(range ? { 'Content-Range': `bytes ${start}-${end}/${node.size}` } : {}),
    });
    if (length === 0) {
      call.res.end();
      return;
    }
    await pipeline(createReadStream(node.blob, { start, end, highWaterMark: 1024 * 1024 }), call.res).catch(() => {
      call.res.destroy();
    });
  },
});
