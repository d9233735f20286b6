import { newCursor } from '../ids.ts';

/** Server-side state behind a list_folder cursor. Cursors are immutable and reusable. */
export interface CursorState {
  email: string;
  appKey: string;
  /** Lowercase absolute path of the listed folder. */
  folderLower: string;
  recursive: boolean;
  includeDeleted: boolean;
  limit: number;
  /** Lowercase paths of the initial listing not returned yet. */
  pending: string[];
  /** Namespace journal position the listing reflects. */
  seq: number;
}

const MAX_CURSORS = 100_000;

export interface CursorStore {
  issue(state: CursorState): string;
  get(cursor: string): CursorState | undefined;
  clear(): void;
}

export function createCursorStore(): CursorStore {
  const cursors = new Map<string, CursorState>();
  return {
    issue(state) {
      const cursor = newCursor();
      cursors.set(cursor, state);
      if (cursors.size > MAX_CURSORS) cursors.delete(cursors.keys().next().value!);
      return cursor;
    },
    get: (cursor) => cursors.get(cursor),
    clear: () => cursors.clear(),
  };
}
