import { createHash, randomBytes } from 'node:crypto';

/** Random URL- and header-safe string (`[A-Za-z0-9_-]`). */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export function newRequestId(): string {
  return randomBytes(16).toString('hex');
}

/** `sl.` prefix like Dropbox's short-lived tokens; only `[A-Za-z0-9._-]`. */
export function newAccessToken(): string {
  return `sl.${randomToken(96)}`;
}

export function newRefreshToken(): string {
  return randomToken(48);
}

export function newAuthorizationCode(): string {
  return randomToken(32);
}

export function newFileId(): string {
  return `id:${randomToken(16)}`;
}

let revCounter = 0;
/** Hex revision of at least 9 characters, unique within this process. */
export function newRev(): string {
  revCounter += 1;
  return revCounter.toString(16).padStart(9, '0') + randomBytes(2).toString('hex').slice(0, 3);
}

export function newUploadSessionId(): string {
  return `pid_upload_session:${randomToken(24)}`;
}

export function newCursor(): string {
  return `AA${randomToken(48)}`;
}

/** Stable per-email account identity, so restarts give the same ids. */
export function accountIdentity(email: string): { accountId: string; uid: string; namespaceId: string } {
  const digest = createHash('sha256').update(email.toLowerCase()).digest();
  const accountId = `dbid:AA${digest.toString('base64url').slice(0, 33)}`;
  const uid = String(digest.readUInt32BE(0) % 2_000_000_000 + 10_000);
  const namespaceId = String(digest.readUInt32BE(4) % 2_000_000_000 + 10_000);
  return { accountId, uid, namespaceId };
}
