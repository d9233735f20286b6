/** Shapes of the backup engine's API answers (see /api/openapi.json); times are ISO strings. */
export type SourceType = 'postgres' | 'mysql' | 'mariadb' | 'sqlite';
export type TlsMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
export type RunStatus = 'queued' | 'running' | 'success' | 'partial' | 'failed' | 'cancelled' | 'interrupted';
export type Compression = 'none' | 'gzip' | 'zstd';

export interface JobRef {
  id: string;
  name: string;
}

export interface Source {
  id: string;
  type: SourceType;
  name: string;
  host?: string;
  port?: number;
  username?: string;
  sqlitePath?: string;
  /** Server sources only. */
  tlsMode?: TlsMode;
  /** PEM text, with verify-ca / verify-full. */
  caCertificate?: string;
  passwordSet: boolean;
  usedBy: JobRef[];
}

export interface ServerInfo {
  engine: SourceType;
  serverVersion: string;
}

export interface RunSummary {
  id: string;
  status: RunStatus;
  trigger: 'manual' | 'schedule';
  queuedAt: string;
  startedAt?: string;
  endedAt?: string;
  errorMessage?: string;
}

export interface Retention {
  keepLast?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
}

export interface Job {
  id: string;
  name: string;
  folderName: string;
  sourceId: string;
  database?: string;
  destinationIds: string[];
  schedule?: { cron: string; timezone: string };
  compression: Compression;
  encryptionProfileId?: string;
  retention: Retention;
  enabled: boolean;
  lastRun?: RunSummary;
  nextRunAt?: string;
}

export interface DestinationResult {
  destinationId: string;
  destinationName: string;
  status: 'pending' | 'success' | 'failed';
  key?: string;
  bytes?: number;
  errorMessage?: string;
}

export interface Run {
  id: string;
  jobId: string;
  jobName: string;
  status: RunStatus;
  trigger: 'manual' | 'schedule';
  stage?: string;
  bytes: number;
  rate?: number;
  etaSeconds?: number;
  queuedAt: string;
  startedAt?: string;
  endedAt?: string;
  errorCode?: string;
  errorMessage?: string;
  destinationResults: DestinationResult[];
  backupKey?: string;
}

export interface LogLine {
  seq: number;
  at: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export interface RunLogs {
  lines: LogLine[];
  lastSeq: number;
  finished: boolean;
}

export interface Profile {
  id: string;
  name: string;
  fingerprint: string;
  createdAt: string;
  usage: { jobs: JobRef[]; backups: number };
}

export interface ProfileExport {
  fileName: string;
  contents: string;
  warning: string;
}

export interface ExplorerBackup {
  key: string;
  fileName: string;
  takenAt: string;
  storedSize: number;
  originalSize?: number;
  compression: Compression;
  encrypted: boolean;
  keyFingerprint?: string;
  profileName?: string;
  database?: string;
  sourceType?: string;
  verifiedAt?: string;
  problem?: string;
}

export interface ExplorerFolder {
  name: string;
  jobId?: string;
  jobName?: string;
  backups: ExplorerBackup[];
  incomplete: number;
}

export interface ExplorerListing {
  destinationId: string;
  destinationName: string;
  folders: ExplorerFolder[];
}

export interface VerifyResult {
  ok: boolean;
  method: 'content_hash' | 'download';
  message: string;
  verifiedAt?: string;
}

export type RestoreStatus = 'running' | 'success' | 'failed' | 'cancelled' | 'interrupted';

export interface RestoreLogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface RestoreOperation {
  id: string;
  destinationId: string;
  destinationName: string;
  key: string;
  sourceId: string;
  sourceName: string;
  database: string;
  options: { createDatabase: boolean; dropExisting: boolean; skipOwnership: boolean };
  /** `interrupted`: DBackup stopped while it ran; the target database may be incomplete. */
  status: RestoreStatus;
  stage?: 'starting' | 'downloading' | 'checking' | 'restoring';
  bytes: number;
  totalBytes?: number;
  startedAt: string;
  endedAt?: string;
  error?: { code: string; message: string };
  log: RestoreLogLine[];
}

export interface Dashboard {
  jobs: { id: string; name: string; enabled: boolean; lastRun?: RunSummary; nextRunAt?: string }[];
  outcomes: { day: string; success: number; partial: number; failed: number }[];
  sizes: { jobId: string; jobName: string; points: { at: string; storedBytes: number; dumpBytes: number }[] }[];
  active: number;
  timeZone: string;
  days: number;
}

export type NotificationEvent = 'run.failed' | 'run.partial' | 'run.interrupted' | 'run.succeeded';

export interface Webhook {
  id: string;
  name: string;
  /** Scheme and host; the rest (which may hold a token) is masked. */
  urlMasked: string;
  events: NotificationEvent[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export type WebhookTestResult = { ok: true; message: string } | { ok: false; message: string; code: string; status?: number };
