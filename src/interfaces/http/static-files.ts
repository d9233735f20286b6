import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the built web UI from `rootDir` (streamed, never buffered). Paths that name no file fall
 * back to `index.html` so client-side routes survive a reload. Returns a 503 page that says how to
 * build the UI when `index.html` is missing. Never serves anything outside `rootDir`.
 */
export function createStaticFiles(rootDir: string): (pathname: string, method: string) => Promise<Response> {
  const root = path.resolve(rootDir);
  return async (pathname, method) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      decoded = '/';
    }
    const candidate = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
    const inside = candidate === root || candidate.startsWith(root + path.sep);
    const file = inside ? await regularFile(candidate) : undefined;
    if (file) return fileResponse(file, method, /\/assets\//.test(pathname));
    // Asset-looking misses are real 404s; everything else is a client route.
    if (/\.[a-z0-9]+$/i.test(pathname) && !pathname.endsWith('.html')) {
      return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    }
    const index = await regularFile(path.join(root, 'index.html'));
    if (!index) {
      return new Response('The web UI is not built yet. Run "npm run build:web" (npm start does this for you).', {
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    }
    return fileResponse(index, method, false);
  };
}

interface FoundFile {
  path: string;
  size: number;
}

async function regularFile(candidate: string): Promise<FoundFile | undefined> {
  try {
    const info = await stat(candidate);
    return info.isFile() ? { path: candidate, size: info.size } : undefined;
  } catch {
    return undefined;
  }
}

function fileResponse(file: FoundFile, method: string, immutable: boolean): Response {
  const headers = {
    'content-type': CONTENT_TYPES[path.extname(file.path).toLowerCase()] ?? 'application/octet-stream',
    'content-length': String(file.size),
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  };
  if (method === 'HEAD') return new Response(null, { status: 200, headers });
  const body = Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>;
  return new Response(body, { status: 200, headers });
}
