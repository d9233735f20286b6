import type { AccountState } from '../accounts.ts';
import type { ResolvedApp } from '../config.ts';
import { newFileId } from '../ids.ts';
import { lowerOf, type Namespace, type Node } from './namespace.ts';
import type { PathArg } from './paths.ts';

/**
 * What one app sees of one account: Full-Dropbox apps see everything; app-folder apps see only
 * `/Apps/<app folder name>`, with every path in arguments and results relative to it.
 */
export interface View {
  account: AccountState;
  ns: Namespace;
  /** Absolute display components of the app's root ([] for Full Dropbox). */
  rootParts: string[];
  rootLower: string;
}

export const APPS_FOLDER = 'Apps';

/** Builds the view, creating the app folder (and `/Apps`) when it does not exist yet. */
export function viewFor(account: AccountState, app: ResolvedApp): View {
  const ns = account.ns;
  if (app.accessType === 'full_dropbox') return { account, ns, rootParts: [], rootLower: '' };
  const wanted = [APPS_FOLDER, app.appFolderName];
  const parts: string[] = [];
  for (const name of wanted) {
    const candidate = [...parts, name];
    const lower = lowerOf(candidate);
    const existing = ns.get(lower);
    if (existing?.tag === 'folder') {
      parts.push(existing.display.slice(existing.display.lastIndexOf('/') + 1));
      continue;
    }
    // A file in the way is moved aside conceptually by Dropbox; the emulator simply replaces it.
    if (existing) ns.remove(lower);
    ns.put({ tag: 'folder', id: newFileId(), lower, display: `/${candidate.join('/')}` });
    parts.push(name);
  }
  return { account, ns, rootParts: parts, rootLower: lowerOf(parts) };
}

export function isInView(view: View, lower: string): boolean {
  return lower === view.rootLower || lower.startsWith(`${view.rootLower}/`);
}

/** Path of a node as the app sees it (`""` for the app's root). */
export function relativePath(view: View, node: { lower: string; display: string }): { lower: string; display: string } {
  const lower = node.lower.slice(view.rootLower.length);
  const displayParts = node.display.split('/').slice(1 + view.rootParts.length);
  return { lower, display: displayParts.length === 0 ? '' : `/${displayParts.join('/')}` };
}

/** Absolute display components for a path argument's components. */
export function absoluteParts(view: View, parts: readonly string[]): string[] {
  return [...view.rootParts, ...parts];
}

export type Lookup = { kind: 'root' } | { kind: 'node'; node: Node } | { kind: 'not_found'; lower?: string } | { kind: 'malformed' };

/** Resolves a path argument to an existing node (or the view's root). */
export function lookup(view: View, arg: PathArg): Lookup {
  switch (arg.kind) {
    case 'root':
      return view.rootLower === '' ? { kind: 'root' } : { kind: 'node', node: view.ns.get(view.rootLower)! };
    case 'malformed':
      return { kind: 'malformed' };
    case 'path': {
      const lower = lowerOf(absoluteParts(view, arg.parts));
      const node = view.ns.get(lower);
      return node ? { kind: 'node', node } : { kind: 'not_found', lower };
    }
    case 'id': {
      const node = view.ns.getById(arg.id);
      return node && isInView(view, node.lower) ? { kind: 'node', node } : { kind: 'not_found' };
    }
    case 'rev': {
      const node = view.ns.getByRev(arg.rev);
      return node && isInView(view, node.lower) ? { kind: 'node', node } : { kind: 'not_found' };
    }
    case 'ns':
      return { kind: 'not_found' };
  }
}

/** True when the lookup hit the view's own root folder. */
export function isViewRoot(view: View, result: Lookup): boolean {
  return result.kind === 'root' || (result.kind === 'node' && result.node.lower === view.rootLower);
}
