/**
 * In-memory metadata of one account's Dropbox: a case-insensitive tree keyed by lowercase
 * absolute path ("" is the root and is implicit), plus a change journal for list_folder cursors
 * and deletion markers for `include_deleted`. File bodies live on disk (`blob`).
 */
export interface FolderNode {
  tag: 'folder';
  id: string;
  /** Lowercase absolute path, e.g. `/apps/dbackup`. */
  lower: string;
  /** Absolute path with preserved casing, e.g. `/Apps/DBackup`. */
  display: string;
}

export interface FileNode {
  tag: 'file';
  id: string;
  lower: string;
  display: string;
  rev: string;
  size: number;
  contentHash: string;
  clientModified: string;
  serverModified: string;
  /** Absolute path of the file body on disk. */
  blob: string;
}

export type Node = FolderNode | FileNode;

export interface DeletedMarker {
  lower: string;
  display: string;
}

export interface Namespace {
  get(lower: string): Node | undefined;
  getById(id: string): Node | undefined;
  getByRev(rev: string): FileNode | undefined;
  /** Direct children of a folder ("" = root), unsorted. */
  children(lower: string): Node[];
  /** All nodes below a folder, sorted so that parents precede children. */
  descendants(lower: string): Node[];
  /** Inserts or replaces a node; the parent must exist. */
  put(node: Node): void;
  /** Removes a node and everything below it; returns the removed nodes. */
  remove(lower: string): Node[];
  deleted(lower: string): DeletedMarker | undefined;
  /** Bytes used by current file versions. */
  used(): number;
  /** Sequence number of the latest change. */
  seq(): number;
  /** Lowercase paths changed after `seq`, each once, ordered by their latest change. */
  changesSince(seq: number): string[];
  clear(): void;
}

export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function parentOf(lower: string): string {
  return lower.slice(0, lower.lastIndexOf('/'));
}

/** Lowercase absolute key of display components (each component lowercased on its own). */
export function lowerOf(parts: readonly string[]): string {
  return parts.map((p) => `/${p.toLowerCase()}`).join('');
}

export function createNamespace(): Namespace {
  const nodes = new Map<string, Node>();
  const kids = new Map<string, Set<string>>([['', new Set()]]);
  const byId = new Map<string, string>();
  const byRev = new Map<string, string>();
  const deletedMarkers = new Map<string, DeletedMarker>();
  const journal: { seq: number; lower: string }[] = [];
  let sequence = 0;
  let usedBytes = 0;

  function record(lower: string): void {
    sequence += 1;
    journal.push({ seq: sequence, lower });
  }

  function unindex(node: Node): void {
    byId.delete(node.id);
    if (node.tag === 'file') {
      byRev.delete(node.rev);
      usedBytes -= node.size;
    }
  }

  const ns: Namespace = {
    get: (lower) => nodes.get(lower),
    getById(id) {
      const lower = byId.get(id);
      return lower === undefined ? undefined : nodes.get(lower);
    },
    getByRev(rev) {
      const lower = byRev.get(rev);
      const node = lower === undefined ? undefined : nodes.get(lower);
      return node?.tag === 'file' && node.rev === rev ? node : undefined;
    },
    children(lower) {
      const set = kids.get(lower);
      return set ? [...set].map((k) => nodes.get(k)).filter((n): n is Node => n !== undefined) : [];
    },
    descendants(lower) {
      const out: Node[] = [];
      const walk = (at: string): void => {
        const children = ns.children(at).sort((a, b) => (a.lower < b.lower ? -1 : 1));
        for (const c of children) {
          out.push(c);
          if (c.tag === 'folder') walk(c.lower);
        }
      };
      walk(lower);
      return out;
    },
    put(node) {
      const parent = parentOf(node.lower);
      const siblings = kids.get(parent);
      if (!siblings) throw new Error(`emulator bug: parent ${parent} of ${node.lower} does not exist`);
      const previous = nodes.get(node.lower);
      if (previous) unindex(previous);
      nodes.set(node.lower, node);
      siblings.add(node.lower);
      byId.set(node.id, node.lower);
      if (node.tag === 'file') {
        byRev.set(node.rev, node.lower);
        usedBytes += node.size;
      } else if (!kids.has(node.lower)) {
        kids.set(node.lower, new Set());
      }
      deletedMarkers.delete(node.lower);
      record(node.lower);
    },
    remove(lower) {
      const node = nodes.get(lower);
      if (!node) return [];
      const removed = [node, ...(node.tag === 'folder' ? ns.descendants(lower) : [])];
      for (const r of removed) {
        unindex(r);
        nodes.delete(r.lower);
        kids.delete(r.lower);
        deletedMarkers.set(r.lower, { lower: r.lower, display: r.display });
        record(r.lower);
      }
      kids.get(parentOf(lower))?.delete(lower);
      return removed;
    },
    deleted: (lower) => (nodes.has(lower) ? undefined : deletedMarkers.get(lower)),
    used: () => usedBytes,
    seq: () => sequence,
    changesSince(since) {
      let lo = 0;
      let hi = journal.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (journal[mid]!.seq <= since) lo = mid + 1;
        else hi = mid;
      }
      const latest = new Map<string, number>();
      for (let i = lo; i < journal.length; i += 1) latest.set(journal[i]!.lower, journal[i]!.seq);
      return [...latest.entries()].sort((a, b) => a[1] - b[1]).map(([lower]) => lower);
    },
    clear() {
      nodes.clear();
      kids.clear();
      kids.set('', new Set());
      byId.clear();
      byRev.clear();
      deletedMarkers.clear();
      journal.length = 0;
      usedBytes = 0;
    },
  };
  return ns;
}
