import { join } from 'node:path';
import { defineRoute } from '../api/route.ts';
import { routeError, tag } from '../http/failure.ts';
import { newUploadSessionId, randomToken } from '../ids.ts';
import { toCommitInfo, uploadArgDecoder } from './args.ts';
import { receiveAppend, removeQuietly } from './blob-io.ts';
import { commitFile } from './commit.ts';
import { fileMetadata } from './metadata.ts';

/**
 * files/upload: streams the body to a new blob while hashing, then commits it. A body over the
 * per-request limit (150 MiB by default) is drained and answered 409 `payload_too_large`.
 */
export const upload = defineRoute({
  name: 'files/upload',
  style: 'upload',
  scope: 'files.content.write',
  arg: uploadArgDecoder,
  async handle(call, arg) {
    const view = call.view();
    const blob = join(call.state.blobDir, `file-${randomToken(12)}`);
    const received = await receiveAppend(call.req, blob, 0, call.state.config.maxRequestBytes);
    if (received.tooLarge) {
      removeQuietly(blob);
      throw routeError(tag('payload_too_large'));
    }
    if (arg.content_hash !== undefined && arg.content_hash !== received.contentHash) {
      removeQuietly(blob);
      throw routeError(tag('content_hash_mismatch'));
    }
    const outcome = commitFile(view, toCommitInfo(arg), { blob, size: received.bytes, contentHash: received.contentHash! }, call.state.clock.now());
    if (!outcome.ok) {
      removeQuietly(blob);
      throw routeError(tag('path', { reason: outcome.error, upload_session_id: newUploadSessionId() }));
    }
    if (!outcome.adopted) removeQuietly(blob);
    return fileMetadata(outcome.node, view, false);
  },
});
