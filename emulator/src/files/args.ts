import { anything, boolean, field, integer, list, string, struct, timestamp, union, type Decoder } from '../http/decode.ts';
import type { CommitInfo } from './commit.ts';
import { pathArg } from './paths.ts';

export const rev = (): Decoder<string> => string({ min: 9, pattern: /^[0-9a-f]+$/, patternText: '[0-9a-f]+' });
export const contentHashArg = (): Decoder<string> => string({ min: 64, max: 64 });

export const writeMode = union({ add: null, overwrite: null, update: rev() });

const commitFields = {
  path: field(pathArg('write_or_id')),
  mode: field(writeMode, true),
  autorename: field(boolean(), true),
  client_modified: field(timestamp(), true),
  mute: field(boolean(), true),
  property_groups: field(list(anything()), true),
  strict_conflict: field(boolean(), true),
};

export const commitInfoDecoder = struct(commitFields);
export const uploadArgDecoder = struct({ ...commitFields, content_hash: field(contentHashArg(), true) });

type RawCommit = ReturnType<typeof commitInfoDecoder>;

export function toCommitInfo(raw: RawCommit): CommitInfo {
  return {
    path: raw.path!,
    mode: raw.mode ?? { tag: 'add' },
    autorename: raw.autorename ?? false,
    clientModified: raw.client_modified,
    strictConflict: raw.strict_conflict ?? false,
  };
}

export const sessionCursor = struct({
  session_id: field(string()),
  offset: field(integer()),
});

export const sessionType = union({ sequential: null, concurrent: null });

export const finishArgDecoder = struct({
  cursor: field(sessionCursor),
  commit: field(commitInfoDecoder),
  content_hash: field(contentHashArg(), true),
});

export const listLimit = (): Decoder<number> => integer({ min: 1, max: 2000 });
