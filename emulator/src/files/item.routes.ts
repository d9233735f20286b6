import { unlink } from 'node:fs/promises';
import { defineRoute } from '../api/route.ts';
import { anything, boolean, field, struct } from '../http/decode.ts';
import { routeError, tag } from '../http/failure.ts';
import { rev } from './args.ts';
import { createFolder } from './commit.ts';
import { deletedMetadata, folderMetadata, nodeMetadata } from './metadata.ts';
import { lowerOf } from './namespace.ts';
import { pathArg } from './paths.ts';
import { absoluteParts, isViewRoot, lookup } from './view.ts';

const getMetadataArg = struct({
    path: field(pathArg('read')),
    include_media_info: field(boolean(), true),
    include_deleted: field(boolean(), true),
    include_has_explicit_shared_members: field(boolean(), true),
    include_property_groups: field(anything(), true),
  });
const createFolderArg = struct({ path: field(pathArg('write')), autorename: field(boolean(), true) });
const deleteArg = struct({ path: field(pathArg('write_or_id')), parent_rev: field(rev(), true) });

export const getMetadata = defineRoute({
  name: 'files/get_metadata',
  style: 'rpc',
  scope: 'files.metadata.read',
  arg: getMetadataArg,
  async handle(call, arg) {
    const view = call.view();
    const found = lookup(view, arg.path!);
    if (found.kind === 'malformed') throw routeError(tag('path', tag('malformed_path')));
    if (found.kind === 'node' && !isViewRoot(view, found)) return nodeMetadata(found.node, view);
    if (found.kind === 'not_found' && arg.include_deleted && arg.path!.kind === 'path') {
      const marker = view.ns.deleted(lowerOf(absoluteParts(view, arg.path!.parts)));
      if (marker) return deletedMetadata(marker, view);
    }
    throw routeError(tag('path', tag('not_found')));
  },
});

export const createFolderV2 = defineRoute({
  name: 'files/create_folder_v2',
  style: 'rpc',
  scope: 'files.content.write',
  arg: createFolderArg,
  async handle(call, arg) {
    const view = call.view();
    const result = createFolder(view, arg.path!, arg.autorename ?? false);
    if (!result.ok) throw routeError(tag('path', result.error));
    return { metadata: folderMetadata(result.node, view, false) };
  },
});

export const deleteV2 = defineRoute({
  name: 'files/delete_v2',
  style: 'rpc',
  scope: 'files.content.write',
  arg: deleteArg,
  async handle(call, arg) {
    const view = call.view();
    const found = lookup(view, arg.path!);
    if (found.kind === 'malformed') throw routeError(tag('path_lookup', tag('malformed_path')));
    if (found.kind !== 'node' || isViewRoot(view, found)) throw routeError(tag('path_lookup', tag('not_found')));
    const node = found.node;
    if (arg.parent_rev !== undefined && (node.tag !== 'file' || node.rev !== arg.parent_rev)) {
      throw routeError(tag('path_write', tag('conflict', tag(node.tag === 'file' ? 'file' : 'folder'))));
    }
    const metadata = nodeMetadata(node, view);
    for (const removed of view.ns.remove(node.lower)) {
      if (removed.tag === 'file') unlink(removed.blob).catch(() => undefined);
    }
    return { metadata };
  },
});
