import { writeFile } from 'node:fs/promises';
import { ContentHasher } from '../../../src/core/content-hash.ts';
import { defineRoute, type ApiCall } from '../api/route.ts';
import { readBody } from '../http/body.ts';
import { boolean, field, integer, list, string, struct } from '../http/decode.ts';
import { routeError, tag } from '../http/failure.ts';
import { contentHashArg, finishArgDecoder, sessionCursor, sessionType, toCommitInfo } from './args.ts';
import { commitFile, type CommitInfo, type WriteError } from './commit.ts';
import { fileMetadata } from './metadata.ts';
import type { FileNode } from './namespace.ts';
import { appendConcurrent, appendSequential, appendWrap, assembleConcurrent, finishWrap, removeSessionFiles, sessionHash } from './session-data.ts';
import { withLock, type UploadSession } from './sessions.ts';

const WRITE = 'files.content.write';

function findSession(call: ApiCall, id: string): UploadSession | undefined {
  return call.state.sessions.get(id, call.auth.token.email);
}

/** Commits a session's data; on success the session is gone (its file adopted or deleted). */
async function commitSession(call: ApiCall, session: UploadSession, info: CommitInfo): Promise<{ ok: true; node: FileNode } | { ok: false; error: WriteError }> {
  const contentHash = await sessionHash(session);
  const outcome = commitFile(call.view(), info, { blob: session.blob, size: session.size, contentHash }, call.state.clock.now());
  if (!outcome.ok) return outcome;
  removeSessionFiles(session);
  call.state.sessions.remove(session, outcome.adopted);
  return { ok: true, node: outcome.node };
}

async function requireEmptyBody(call: ApiCall): Promise<boolean> {
  const body = await readBody(call.req, 0);
  return body !== undefined && body.length === 0;
}

const startArg = struct({ close: field(boolean(), true), session_type: field(sessionType, true), content_hash: field(contentHashArg(), true) });
const startBatchArg = struct({ session_type: field(sessionType, true), num_sessions: field(integer({ min: 1, max: 1000 })) });
const appendArg = struct({ cursor: field(sessionCursor), close: field(boolean(), true), content_hash: field(contentHashArg(), true) });
const checkArg = struct({ async_job_id: field(string({ min: 1 })) });

export const uploadSessionStart = defineRoute({
  name: 'files/upload_session/start',
  style: 'upload',
  scope: WRITE,
  arg: startArg,
  async handle(call, arg) {
    const concurrent = arg.session_type?.tag === 'concurrent';
    const close = arg.close ?? false;
    if (concurrent && close) throw routeError(tag('concurrent_session_close_not_allowed'));
    const owner = { email: call.auth.token.email, appKey: call.auth.app.key };
    const session = call.state.sessions.create(owner, concurrent, concurrent ? undefined : new ContentHasher());
    try {
      if (concurrent) {
        if (!(await requireEmptyBody(call))) throw routeError(tag('concurrent_session_data_not_allowed'));
      } else {
        await appendSequential(call.req, session, 0, { maxBytes: call.state.config.maxRequestBytes, contentHash: arg.content_hash, wrap: appendWrap, finishing: false });
        session.closed = close;
      }
    } catch (error) {
      call.state.sessions.remove(session, false);
      throw error;
    }
    return { session_id: session.id };
  },
});

export const uploadSessionStartBatch = defineRoute({
  name: 'files/upload_session/start_batch',
  style: 'rpc',
  scope: WRITE,
  arg: startBatchArg,
  async handle(call, arg) {
    const concurrent = arg.session_type?.tag === 'concurrent';
    const owner = { email: call.auth.token.email, appKey: call.auth.app.key };
    const ids: string[] = [];
    for (let i = 0; i < arg.num_sessions!; i += 1) {
      const session = call.state.sessions.create(owner, concurrent, concurrent ? undefined : new ContentHasher());
      if (!concurrent) await writeFile(session.blob, '');
      ids.push(session.id);
    }
    return { session_ids: ids };
  },
});

async function append(call: ApiCall, cursor: { session_id?: string; offset?: number }, close: boolean, contentHash: string | undefined): Promise<null> {
  const session = findSession(call, cursor.session_id!);
  if (!session) throw routeError(tag('not_found'));
  return withLock(session, async () => {
    if (!findSession(call, session.id)) throw routeError(tag('not_found'));
    const options = { maxBytes: call.state.config.maxRequestBytes, contentHash };
    if (session.concurrent) {
      await appendConcurrent(call.req, session, cursor.offset!, close, options);
    } else {
      await appendSequential(call.req, session, cursor.offset!, { ...options, wrap: appendWrap, finishing: false });
      if (close) session.closed = true;
    }
    return null;
  });
}

export const uploadSessionAppendV2 = defineRoute({
  name: 'files/upload_session/append_v2',
  style: 'upload',
  scope: WRITE,
  arg: appendArg,
  handle: (call, arg) => append(call, arg.cursor!, arg.close ?? false, arg.content_hash),
});

/** Deprecated v1 append: the argument is the bare cursor. */
export const uploadSessionAppend = defineRoute({
  name: 'files/upload_session/append',
  style: 'upload',
  scope: WRITE,
  arg: sessionCursor,
  handle: (call, arg) => append(call, arg, false, undefined),
});

export const uploadSessionFinish = defineRoute({
  name: 'files/upload_session/finish',
  style: 'upload',
  scope: WRITE,
  arg: finishArgDecoder,
  async handle(call, arg) {
    const cursor = arg.cursor!;
    const session = findSession(call, cursor.session_id!);
    if (!session) throw finishWrap(tag('not_found'));
    return withLock(session, async () => {
      if (!findSession(call, session.id)) throw finishWrap(tag('not_found'));
      if (session.concurrent) {
        if (!(await requireEmptyBody(call))) throw routeError(tag('concurrent_session_data_not_allowed'));
        if (!session.closed) throw routeError(tag('concurrent_session_not_closed'));
        if (cursor.offset !== session.closeEnd) throw finishWrap(tag('incorrect_offset', { correct_offset: session.closeEnd! }));
        if (!(await assembleConcurrent(session))) throw routeError(tag('concurrent_session_missing_data'));
      } else {
        await appendSequential(call.req, session, cursor.offset!, {
          maxBytes: call.state.config.maxRequestBytes,
          contentHash: arg.content_hash,
          wrap: finishWrap,
          finishing: true,
        });
      }
      const result = await commitSession(call, session, toCommitInfo(arg.commit!));
      if (!result.ok) throw routeError(tag('path', result.error));
      return fileMetadata(result.node, call.view(), false);
    });
  },
});

type FinishArg = ReturnType<typeof finishArgDecoder>;

/** One entry of finish_batch: the session must be closed and the offset must match. */
async function finishEntry(call: ApiCall, entry: FinishArg): Promise<Record<string, unknown>> {
  const failure = (error: Record<string, unknown>) => ({ '.tag': 'failure', failure: error });
  const cursor = entry.cursor!;
  const session = findSession(call, cursor.session_id!);
  if (!session) return failure(tag('lookup_failed', tag('not_found')));
  return withLock(session, async () => {
    if (!findSession(call, session.id)) return failure(tag('lookup_failed', tag('not_found')));
    if (!session.closed) return failure(tag('lookup_failed', tag('not_closed')));
    const end = session.concurrent ? session.closeEnd! : session.size;
    if (cursor.offset !== end) return failure(tag('lookup_failed', tag('incorrect_offset', { correct_offset: end })));
    if (session.concurrent && !(await assembleConcurrent(session))) return failure(tag('concurrent_session_missing_data'));
    const result = await commitSession(call, session, toCommitInfo(entry.commit!));
    if (!result.ok) return failure(tag('path', result.error));
    return { '.tag': 'success', ...fileMetadata(result.node, call.view(), false) };
  });
}

async function finishAll(call: ApiCall, entries: FinishArg[]): Promise<Record<string, unknown>[]> {
  const results: Record<string, unknown>[] = [];
  for (const entry of entries) results.push(await finishEntry(call, entry));
  return results;
}

const batchArg = struct({ entries: field(list(finishArgDecoder, { max: 1000 })) });

export const uploadSessionFinishBatchV2 = defineRoute({
  name: 'files/upload_session/finish_batch_v2',
  style: 'rpc',
  scope: WRITE,
  arg: batchArg,
  async handle(call, arg) {
    return { entries: await finishAll(call, arg.entries!) };
  },
});

/** Deprecated v1 batch: the emulator always finishes synchronously and answers `complete`. */
export const uploadSessionFinishBatch = defineRoute({
  name: 'files/upload_session/finish_batch',
  style: 'rpc',
  scope: WRITE,
  arg: batchArg,
  async handle(call, arg) {
    return { '.tag': 'complete', entries: await finishAll(call, arg.entries!) };
  },
});

export const uploadSessionFinishBatchCheck = defineRoute({
  name: 'files/upload_session/finish_batch/check',
  style: 'rpc',
  scope: WRITE,
  arg: checkArg,
  async handle() {
    throw routeError(tag('invalid_async_job_id'));
  },
});

