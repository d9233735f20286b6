import type { DeletedMarker, FileNode, FolderNode, Node } from './namespace.ts';
import { nameOf } from './namespace.ts';
import { relativePath, type View } from './view.ts';

/**
 * Dropbox `Metadata` JSON for a node as the app sees it. `withTag` adds `.tag`; Dropbox omits it
 * where the declared type is the subtype itself (upload/finish results, create_folder_v2).
 */
export function fileMetadata(node: FileNode, view: View, withTag: boolean): Record<string, unknown> {
  const path = relativePath(view, node);
  return {
    ...(withTag ? { '.tag': 'file' } : {}),
    name: nameOf(node.display),
    id: node.id,
    client_modified: node.clientModified,
    server_modified: node.serverModified,
    rev: node.rev,
    size: node.size,
    path_lower: path.lower,
    path_display: path.display,
    is_downloadable: true,
    content_hash: node.contentHash,
  };
}

export function folderMetadata(node: FolderNode, view: View, withTag: boolean): Record<string, unknown> {
  const path = relativePath(view, node);
  return {
    ...(withTag ? { '.tag': 'folder' } : {}),
    name: nameOf(node.display),
    path_lower: path.lower,
    path_display: path.display,
    id: node.id,
  };
}

export function nodeMetadata(node: Node, view: View, withTag = true): Record<string, unknown> {
  return node.tag === 'file' ? fileMetadata(node, view, withTag) : folderMetadata(node, view, withTag);
}

export function deletedMetadata(marker: DeletedMarker, view: View): Record<string, unknown> {
  const path = relativePath(view, marker);
  return { '.tag': 'deleted', name: nameOf(marker.display), path_lower: path.lower, path_display: path.display };
}
