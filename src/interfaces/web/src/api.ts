/** The UI's only door to the server: JSON over fetch, with the session's CSRF token on writes. */
export interface ApiErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.details = body.details ?? {};
  }

  /** Per-field validation messages, when the server sent them. */
  get fields(): Record<string, string> {
    const fields = this.details.fields;
    return typeof fields === 'object' && fields !== null ? (fields as Record<string, string>) : {};
  }
}

let csrfToken = '';

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, { code: 'network', message: 'DBackup is not reachable. Check that the server is running.' });
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = (parsed as { error?: ApiErrorBody } | undefined)?.error;
    throw new ApiError(response.status, error ?? { code: 'http_' + response.status, message: `Request failed (${response.status}).` });
  }
  return parsed as T;
}

export interface User {
  id: string;
  username: string;
}

export interface SessionInfo {
  user: User;
  csrfToken: string;
}

export type DestinationType = 'dropbox' | 'local';

export interface Destination {
  id: string;
  type: DestinationType;
  name: string;
  config: { folderPath?: string; path?: string };
  /** Which secrets are stored; never their values. */
  secrets: Record<string, boolean>;
  createdAt: string;
  updatedAt: string;
}

export interface DestinationStatus {
  state: 'authorized' | 'authorization_required' | 'ready' | 'error';
  /** A refresh token is stored (so the button says "Re-authorize"). */
  hasToken?: boolean;
  message?: string;
  account?: { name: string; email?: string };
  usage?: { used: number; allocated?: number };
  requiredScope?: string;
  redirectUri?: string;
}

export interface FolderListing {
  path: string;
  folders: { name: string; path: string }[];
}

export interface ConnectionReport {
  account?: { name: string; email?: string };
  folder: { path: string; created: boolean };
  writeDelete: 'ok';
  usage?: { used: number; allocated?: number };
}

export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt?: string;
}

/** The live status of a destination; a failed request becomes an `error` status with its message. */
export async function fetchDestinationStatus(id: string): Promise<DestinationStatus> {
  try {
    return await api<DestinationStatus>('GET', `/api/destinations/${encodeURIComponent(id)}/status`);
  } catch (error) {
    return { state: 'error', message: error instanceof Error ? error.message : String(error) };
  }
}
