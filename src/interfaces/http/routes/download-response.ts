import { Readable } from 'node:stream';

/**
 * A streamed file download: the body is read from `stream` as the client takes it (bounded
 * memory), and a client that goes away destroys the stream, which releases the destination read.
 */
export function downloadResponse(download: { fileName: string; contentType: string; size?: number; stream: Readable }): Response {
  const headers: Record<string, string> = {
    'content-type': download.contentType,
    'content-disposition': contentDisposition(download.fileName),
    'cache-control': 'no-store',
  };
  if (download.size !== undefined) headers['content-length'] = String(download.size);
  return new Response(Readable.toWeb(download.stream) as ReadableStream<Uint8Array>, { status: 200, headers });
}

/** `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
