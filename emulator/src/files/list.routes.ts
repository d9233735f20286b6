import { defineRoute, type ApiCall } from '../api/route.ts';
import { anything, boolean, field, string, struct } from '../http/decode.ts';
import { badRequest, routeError, tag } from '../http/failure.ts';
import type { CursorState } from './cursors.ts';
import { listLimit } from './args.ts';
import { deletedMetadata, nodeMetadata } from './metadata.ts';
import { parentOf } from './namespace.ts';
import { pathArg } from './paths.ts';
import { isInView, lookup, type View } from './view.ts';

const DEFAULT_LIMIT = 2000;

const listFolderArg = struct({
  path: field(pathArg('list')),
  recursive: field(boolean(), true),
  include_media_info: field(boolean(), true),
  include_deleted: field(boolean(), true),
  include_has_explicit_shared_members: field(boolean(), true),
  include_mounted_folders: field(boolean(), true),
  limit: field(listLimit(), true),
  shared_link: field(anything(), true),
  include_property_groups: field(anything(), true),
  include_non_downloadable_files: field(boolean(), true),
  include_restorable_info: field(boolean(), true),
});

const lookupError = (name: string) => routeError(tag('path', tag(name)));

/** Resolves the folder to list; 409 `path/not_found`, `path/not_folder`, `path/malformed_path`. */
function folderToList(view: View, arg: ReturnType<typeof listFolderArg>): string {
  const found = lookup(view, arg.path!);
  if (found.kind === 'malformed') throw lookupError('malformed_path');
  if (found.kind === 'not_found') throw lookupError('not_found');
  if (found.kind === 'root') return '';
  if (found.node.tag !== 'folder') throw lookupError('not_folder');
  return found.node.lower;
}

function inScope(state: CursorState, lower: string): boolean {
  if (state.recursive) return lower === state.folderLower || lower.startsWith(`${state.folderLower}/`);
  return parentOf(lower) === state.folderLower;
}

/** One page of results: `pending` first, then (when the initial listing is exhausted) changes since `seq`. */
function page(call: ApiCall, view: View, state: CursorState): { entries: unknown[]; cursor: string; has_more: boolean } {
  const ns = view.ns;
  let pending = state.pending;
  let seq = state.seq;
  if (pending.length === 0) {
    pending = ns.changesSince(seq).filter((lower) => inScope(state, lower) && isInView(view, lower));
    seq = ns.seq();
  }
  const entries: unknown[] = [];
  let taken = 0;
  while (taken < pending.length && entries.length < state.limit) {
    const lower = pending[taken]!;
    taken += 1;
    const node = ns.get(lower);
    if (node) entries.push(nodeMetadata(node, view));
    else if (state.pending.length === 0 || state.includeDeleted) {
      const marker = ns.deleted(lower);
      if (marker) entries.push(deletedMetadata(marker, view));
    }
  }
  const rest = pending.slice(taken);
  const cursor = call.state.cursors.issue({ ...state, pending: rest, seq });
  return { entries, cursor, has_more: rest.length > 0 };
}

function initialState(call: ApiCall, view: View, arg: ReturnType<typeof listFolderArg>, withEntries: boolean): CursorState {
  if (arg.shared_link !== undefined) throw badRequest('shared_link: listing shared links is not supported by the emulator');
  const folderLower = folderToList(view, arg);
  const recursive = arg.recursive ?? false;
  const includeDeleted = arg.include_deleted ?? false;
  let pending: string[] = [];
  if (withEntries) {
    const nodes = recursive ? view.ns.descendants(folderLower) : view.ns.children(folderLower).sort((a, b) => (a.lower < b.lower ? -1 : 1));
    pending = nodes.map((n) => n.lower);
    // Dropbox's recursive listing of a non-root folder starts with the folder itself.
    if (recursive && folderLower !== view.rootLower) pending.unshift(folderLower);
  }
  return {
    email: call.auth.token.email,
    appKey: call.auth.app.key,
    folderLower,
    recursive,
    includeDeleted,
    limit: arg.limit ?? DEFAULT_LIMIT,
    pending,
    seq: view.ns.seq(),
  };
}

const continueArg = struct({ cursor: field(string({ min: 1 })) });

export const listFolder = defineRoute({
  name: 'files/list_folder',
  style: 'rpc',
  scope: 'files.metadata.read',
  arg: listFolderArg,
  async handle(call, arg) {
    const view = call.view();
    const state = initialState(call, view, arg, true);
    if (state.pending.length === 0) return { entries: [], cursor: call.state.cursors.issue(state), has_more: false };
    return page(call, view, state);
  },
});

export const listFolderContinue = defineRoute({
  name: 'files/list_folder/continue',
  style: 'rpc',
  scope: 'files.metadata.read',
  arg: continueArg,
  async handle(call, arg) {
    if (!/^AA[A-Za-z0-9_-]+$/.test(arg.cursor!)) throw badRequest('cursor: invalid cursor');
    const state = call.state.cursors.get(arg.cursor!);
    if (!state || state.email !== call.auth.token.email || state.appKey !== call.auth.app.key) throw routeError(tag('reset'));
    const view = call.view();
    if (state.folderLower !== '' && view.ns.get(state.folderLower)?.tag !== 'folder') throw routeError(tag('path', tag('not_found')));
    return page(call, view, state);
  },
});

export const listFolderGetLatestCursor = defineRoute({
  name: 'files/list_folder/get_latest_cursor',
  style: 'rpc',
  scope: 'files.metadata.read',
  arg: listFolderArg,
  async handle(call, arg) {
    return { cursor: call.state.cursors.issue(initialState(call, call.view(), arg, false)) };
  },
});
