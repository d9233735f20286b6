import type { Clock } from '../clock.ts';
import { newAccessToken, newAuthorizationCode, newRefreshToken } from '../ids.ts';

/** Who granted what: one app, one account (lowercase email), a set of scopes. */
export interface Grant {
  appKey: string;
  email: string;
  scopes: string[];
}

export interface CodeRecord extends Grant {
  code: string;
  redirectUri: string | undefined;
  offline: boolean;
  codeChallenge: string | undefined;
  challengeMethod: 'S256' | 'plain' | undefined;
  expiresAt: number;
}

export interface RefreshRecord extends Grant {
  token: string;
  revoked: boolean;
  /** Obtained through PKCE without a client secret (refreshes may then omit the secret). */
  publicClient: boolean;
}

export interface AccessRecord extends Grant {
  token: string;
  expiresAt: number;
  refreshToken: string | undefined;
  revoked: boolean;
}

export interface TokenStore {
  issueCode(grant: Grant, details: Omit<CodeRecord, keyof Grant | 'code' | 'expiresAt'>): CodeRecord;
  /** Returns and invalidates a code (single use); undefined when unknown, used or expired. */
  consumeCode(code: string): CodeRecord | undefined;
  issueRefresh(grant: Grant, publicClient: boolean): RefreshRecord;
  issueAccess(grant: Grant, refreshToken: string | undefined): AccessRecord;
  findAccess(token: string): AccessRecord | undefined;
  findRefresh(token: string): RefreshRecord | undefined;
  /** Revokes an access token; when it came from a refresh token, that one and all its access tokens too. */
  revokeAccess(record: AccessRecord): void;
  /** Revokes every token of an app (the user removed it from "Connected apps"). */
  revokeApp(appKey: string): void;
  /** Scopes an account granted an app so far (for include_granted_scopes). */
  grantedScopes(appKey: string, email: string): string[];
  clear(): void;
}

export function createTokenStore(clock: Clock, ttl: { accessSeconds: number; codeSeconds: number }): TokenStore {
  const codes = new Map<string, CodeRecord>();
  const refreshTokens = new Map<string, RefreshRecord>();
  const accessTokens = new Map<string, AccessRecord>();
  const grants = new Map<string, Set<string>>();

  function remember(grant: Grant): void {
    const key = `${grant.appKey}\n${grant.email}`;
    const set = grants.get(key) ?? new Set<string>();
    for (const s of grant.scopes) set.add(s);
    grants.set(key, set);
  }

  return {
    issueCode(grant, details) {
      const record: CodeRecord = { ...grant, scopes: [...grant.scopes], ...details, code: newAuthorizationCode(), expiresAt: clock.now() + ttl.codeSeconds * 1000 };
      codes.set(record.code, record);
      return record;
    },
    consumeCode(code) {
      const record = codes.get(code);
      codes.delete(code);
      if (!record || record.expiresAt <= clock.now()) return undefined;
      return record;
    },
    issueRefresh(grant, publicClient) {
      const record: RefreshRecord = { ...grant, scopes: [...grant.scopes], token: newRefreshToken(), revoked: false, publicClient };
      refreshTokens.set(record.token, record);
      remember(grant);
      return record;
    },
    issueAccess(grant, refreshToken) {
      const record: AccessRecord = {
        appKey: grant.appKey,
        email: grant.email,
        scopes: [...grant.scopes],
        token: newAccessToken(),
        expiresAt: clock.now() + ttl.accessSeconds * 1000,
        refreshToken,
        revoked: false,
      };
      accessTokens.set(record.token, record);
      remember(grant);
      return record;
    },
    findAccess: (token) => accessTokens.get(token),
    findRefresh: (token) => refreshTokens.get(token),
    revokeAccess(record) {
      record.revoked = true;
      if (record.refreshToken === undefined) return;
      const refresh = refreshTokens.get(record.refreshToken);
      if (refresh) refresh.revoked = true;
      for (const other of accessTokens.values()) if (other.refreshToken === record.refreshToken) other.revoked = true;
    },
    revokeApp(appKey) {
      for (const r of refreshTokens.values()) if (r.appKey === appKey) r.revoked = true;
      for (const a of accessTokens.values()) if (a.appKey === appKey) a.revoked = true;
      for (const [code, c] of codes) if (c.appKey === appKey) codes.delete(code);
      for (const key of grants.keys()) if (key.startsWith(`${appKey}\n`)) grants.delete(key);
    },
    grantedScopes: (appKey, email) => [...(grants.get(`${appKey}\n${email}`) ?? [])],
    clear() {
      codes.clear();
      refreshTokens.clear();
      accessTokens.clear();
      grants.clear();
    },
  };
}
