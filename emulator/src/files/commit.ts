import { unlink } from 'node:fs/promises';
import { dropboxTimestamp } from '../clock.ts';
import { newFileId, newRev } from '../ids.ts';
import type { UnionValue } from '../http/decode.ts';
import { lowerOf, nameOf, parentOf, type FileNode, type FolderNode } from './namespace.ts';
import { isDisallowedName, type PathArg } from './paths.ts';
import { absoluteParts, type View } from './view.ts';

/** A Dropbox `WriteError` union value. */
export type WriteError = Record<string, unknown>;

const conflict = (kind: 'file' | 'folder' | 'file_ancestor'): WriteError => ({ '.tag': 'conflict', conflict: { '.tag': kind } });
const MALFORMED: WriteError = { '.tag': 'malformed_path' };

export interface CommitInfo {
  path: PathArg;
  mode: UnionValue;
  autorename: boolean;
  clientModified: string | undefined;
  strictConflict: boolean;
}

export interface StoredBody {
  blob: string;
  size: number;
  contentHash: string;
}

export type CommitOutcome =
  | { ok: true; node: FileNode; adopted: boolean }
  | { ok: false; error: WriteError };

type Target = { ok: true; parts: string[] } | { ok: false; error: WriteError };

function targetOf(view: View, path: PathArg): Target {
  if (path.kind === 'path') return { ok: true, parts: absoluteParts(view, path.parts) };
  if (path.kind === 'id') {
    const node = view.ns.getById(path.id);
    if (node && node.lower.startsWith(`${view.rootLower}/`)) return { ok: true, parts: node.display.split('/').slice(1) };
  }
  return { ok: false, error: MALFORMED };
}

/** Folders that must be created (in order) for `parts`' parent to exist, or the WriteError in the way. */
function planParents(view: View, parts: string[]): { ok: true; create: FolderNode[] } | { ok: false; error: WriteError } {
  const create: FolderNode[] = [];
  let display = '';
  for (let i = 0; i < parts.length - 1; i += 1) {
    const lower = lowerOf(parts.slice(0, i + 1));
    const existing = view.ns.get(lower);
    if (existing?.tag === 'file') return { ok: false, error: conflict('file_ancestor') };
    if (existing) {
      display = existing.display;
      continue;
    }
    if (isDisallowedName(parts[i]!)) return { ok: false, error: { '.tag': 'disallowed_name' } };
    display = `${display}/${parts[i]}`;
    create.push({ tag: 'folder', id: newFileId(), lower, display });
  }
  return { ok: true, create };
}

function splitExtension(name: string): [string, string] {
  const dot = name.indexOf('.', 1);
  return dot === -1 ? [name, ''] : [name.slice(0, dot), name.slice(dot)];
}

/** First free sibling name: `name (1).ext`, `name (2).ext`... or `name (conflicted copy).ext` for update mode. */
function freeName(view: View, parentLower: string, name: string, style: 'numbered' | 'conflicted' | 'folder'): string {
  const [base, ext] = style === 'folder' ? [name, ''] : splitExtension(name);
  for (let n = 1; ; n += 1) {
    const suffix = style === 'conflicted' ? (n === 1 ? ' (conflicted copy)' : ` (conflicted copy ${n})`) : ` (${n})`;
    const candidate = `${base}${suffix}${ext}`;
    if (!view.ns.get(`${parentLower}/${candidate.toLowerCase()}`)) return candidate;
  }
}

function createParents(view: View, folders: FolderNode[]): void {
  for (const folder of folders) view.ns.put(folder);
}

function displayOf(view: View, parts: string[]): string {
  const parent = parts.length > 1 ? view.ns.get(lowerOf(parts.slice(0, -1))) : undefined;
  return `${parent ? parent.display : ''}/${parts.at(-1)}`;
}

/**
 * Commits an uploaded body to `info.path` following Dropbox's WriteMode rules: identical content
 * is a no-op unless `strict_conflict`; `add` conflicts with an existing file, `overwrite`
 * replaces it, `update` replaces it only when the rev matches; `autorename` picks a free name
 * instead of failing. Missing parent folders are created. `adopted` tells whether the node now
 * owns `body.blob` (otherwise the caller should delete it).
 */
export function commitFile(view: View, info: CommitInfo, body: StoredBody, now: number): CommitOutcome {
  const target = targetOf(view, info.path);
  if (!target.ok) return target;
  let parts = target.parts;
  if (isDisallowedName(parts.at(-1)!)) return { ok: false, error: { '.tag': 'disallowed_name' } };
  const plan = planParents(view, parts);
  if (!plan.ok) return plan;
  const ns = view.ns;
  const existing = ns.get(lowerOf(parts));
  const updateRev = info.mode.tag === 'update' ? (info.mode.value as string) : undefined;
  let replaces: FileNode | undefined;
  let conflictKind: 'file' | 'folder' | undefined;
  if (existing?.tag === 'folder') {
    conflictKind = 'folder';
  } else if (existing?.tag === 'file') {
    if (existing.contentHash === body.contentHash && existing.size === body.size && !info.strictConflict) {
      return { ok: true, node: existing, adopted: false };
    }
    if (info.mode.tag === 'overwrite' || (updateRev !== undefined && updateRev === existing.rev)) replaces = existing;
    else conflictKind = 'file';
  } else if (updateRev !== undefined && info.strictConflict && ns.deleted(lowerOf(parts))) {
    conflictKind = 'file';
  }
  if (conflictKind) {
    if (!info.autorename) return { ok: false, error: conflict(conflictKind) };
    const name = freeName(view, parentOf(lowerOf(parts)), parts.at(-1)!, updateRev !== undefined ? 'conflicted' : 'numbered');
    parts = [...parts.slice(0, -1), name];
  }
  const freed = replaces?.size ?? 0;
  if (ns.used() - freed + body.size > view.account.quotaBytes) return { ok: false, error: { '.tag': 'insufficient_space' } };
  createParents(view, plan.create);
  const timestamp = dropboxTimestamp(now);
  const node: FileNode = {
    tag: 'file',
    id: replaces?.id ?? newFileId(),
    lower: lowerOf(parts),
    display: replaces?.display ?? displayOf(view, parts),
    rev: newRev(),
    size: body.size,
    contentHash: body.contentHash,
    clientModified: info.clientModified ?? timestamp,
    serverModified: timestamp,
    blob: body.blob,
  };
  ns.put(node);
  if (replaces) unlink(replaces.blob).catch(() => undefined);
  return { ok: true, node, adopted: true };
}

/** create_folder_v2 semantics: conflict with anything at the path unless `autorename`. */
export function createFolder(view: View, path: PathArg, autorename: boolean): { ok: true; node: FolderNode } | { ok: false; error: WriteError } {
  const target = targetOf(view, path);
  if (!target.ok) return target;
  let parts = target.parts;
  if (isDisallowedName(parts.at(-1)!)) return { ok: false, error: { '.tag': 'disallowed_name' } };
  const plan = planParents(view, parts);
  if (!plan.ok) return plan;
  const existing = view.ns.get(lowerOf(parts));
  if (existing) {
    if (!autorename) return { ok: false, error: conflict(existing.tag) };
    parts = [...parts.slice(0, -1), freeName(view, parentOf(existing.lower), nameOf(existing.display), 'folder')];
  }
  createParents(view, plan.create);
  const node: FolderNode = { tag: 'folder', id: newFileId(), lower: lowerOf(parts), display: displayOf(view, parts) };
  view.ns.put(node);
  return { ok: true, node };
}
