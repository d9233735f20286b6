/**
 * The OpenAPI paths and schemas of the backup engine's routes (sources, jobs, schedules, runs,
 * encryption profiles, the storage explorer, restores, dashboard); merged into openapi.ts.
 */
import { bool, int, list, obj, type Operation, ref, type Schema, str, time } from './openapi-schema.ts';

const KEY_QUERY = { name: 'key', description: 'Backup key: job-folder/backup_<time>.sql[.gz|.zst][.enc]' };

export const BACKUP_OPERATIONS: Record<string, Record<string, Operation>> = {
  '/api/sources': {
    get: { summary: 'Database sources (passwords are never returned, only passwordSet)', auth: 'user', response: { status: 200, schema: 'SourceList' } },
    post: { summary: 'Create a source', auth: 'user', body: 'SourceInput', response: { status: 201, schema: 'Source' }, errors: [400] },
  },
  '/api/sources/test': {
    post: { summary: 'Test unsaved source settings; with id, a blank password means the stored one', auth: 'user', body: 'SourceInput', response: { status: 200, schema: 'ServerInfo' }, errors: [400, 409, 503] },
  },
  '/api/sources/{id}': {
    get: { summary: 'One source', auth: 'user', response: { status: 200, schema: 'Source' }, errors: [404] },
    put: { summary: 'Replace a source; a blank password keeps the stored one', auth: 'user', body: 'SourceInput', response: { status: 200, schema: 'Source' }, errors: [400, 404] },
    delete: { summary: 'Delete a source (refused while jobs use it)', auth: 'user', response: { status: 204 }, errors: [404, 409] },
  },
  '/api/sources/{id}/test': { post: { summary: 'Connect and report the engine and version', auth: 'user', response: { status: 200, schema: 'ServerInfo' }, errors: [404, 409, 503] } },
  '/api/sources/{id}/databases': { get: { summary: 'User databases on the server', auth: 'user', response: { status: 200, schema: 'NameList' }, errors: [404, 409, 503] } },
  '/api/jobs': {
    get: { summary: 'Backup jobs with their last run and next scheduled run', auth: 'user', response: { status: 200, schema: 'JobList' } },
    post: { summary: 'Create a job (its folder name is derived from the name, unique ignoring case)', auth: 'user', body: 'JobInput', response: { status: 201, schema: 'Job' }, errors: [400] },
  },
  '/api/jobs/{id}': {
    get: { summary: 'One job', auth: 'user', response: { status: 200, schema: 'Job' }, errors: [404] },
    put: { summary: 'Replace a job (the folder name stays)', auth: 'user', body: 'JobInput', response: { status: 200, schema: 'Job' }, errors: [400, 404] },
    delete: { summary: 'Delete a job with its run history; stored backups stay (refused while it runs)', auth: 'user', response: { status: 204 }, errors: [404, 409] },
  },
  '/api/jobs/{id}/run': { post: { summary: 'Run now: queue a manual run', auth: 'user', response: { status: 202, schema: 'Run' }, errors: [400, 404, 409] } },
  '/api/schedules': { get: { summary: 'Schedule presets for the job form', auth: 'user', response: { status: 200, schema: 'SchedulePresets' } } },
  '/api/schedules/preview': { post: { summary: 'The next runs of a cron expression (or preset) in a time zone', auth: 'user', body: 'SchedulePreviewInput', response: { status: 200, schema: 'SchedulePreview' }, errors: [400] } },
  '/api/runs': {
    get: {
      summary: 'Run history, newest first',
      auth: 'user',
      query: [
        { name: 'jobId', description: 'Only runs of this job' },
        { name: 'status', description: 'queued, running, success, partial, failed, cancelled or interrupted' },
        { name: 'before', description: 'Runs queued before this ISO time (paging)' },
        { name: 'limit', description: 'Default 50, at most 500' },
      ],
      response: { status: 200, schema: 'RunList' },
      errors: [400],
    },
  },
  '/api/runs/{id}': { get: { summary: 'One run: status, stage, bytes, rate, ETA, destination results', auth: 'user', response: { status: 200, schema: 'Run' }, errors: [404] } },
  '/api/runs/{id}/logs': {
    get: { summary: 'Log lines after afterSeq (poll with the returned lastSeq)', auth: 'user', query: [{ name: 'afterSeq', description: 'Last sequence number already seen; default 0' }], response: { status: 200, schema: 'RunLogs' }, errors: [404] },
  },
  '/api/runs/{id}/cancel': { post: { summary: 'Cancel a queued or running run', auth: 'user', response: { status: 200, schema: 'Run' }, errors: [404] } },
  '/api/profiles': {
    get: { summary: 'Encryption profiles with their usage (never the key)', auth: 'user', response: { status: 200, schema: 'ProfileList' } },
    post: { summary: 'Create a profile with a random 256-bit key', auth: 'user', body: 'ProfileName', response: { status: 201, schema: 'Profile' }, errors: [400] },
  },
  '/api/profiles/import': { post: { summary: 'Add a profile from an exported key file', auth: 'user', body: 'ProfileImport', response: { status: 201, schema: 'Profile' }, errors: [400, 409, 422] } },
  '/api/profiles/{id}': {
    put: { summary: 'Rename a profile', auth: 'user', body: 'ProfileName', response: { status: 200, schema: 'Profile' }, errors: [400, 404] },
    delete: { summary: 'Delete a profile (refused while a job or a stored backup uses it; the message names them)', auth: 'user', response: { status: 204 }, errors: [409] },
  },
  '/api/profiles/{id}/export': { post: { summary: 'The key file text, its suggested file name and the warning to show first', auth: 'user', response: { status: 200, schema: 'ProfileExport' }, errors: [404] } },
  '/api/destinations/{id}/backups': {
    get: { summary: 'Storage explorer: job folders and their complete backups (file + sidecar)', auth: 'user', response: { status: 200, schema: 'ExplorerListing' }, errors: [404, 409, 503] },
    delete: { summary: 'Delete a backup with its sidecar and index entry', auth: 'user', query: [KEY_QUERY], response: { status: 204 }, errors: [400, 404] },
  },
  '/api/destinations/{id}/backups/download': {
    get: {
      summary: 'Download a backup, streamed: as stored, or decrypted and decompressed (.sql)',
      auth: 'user',
      query: [KEY_QUERY, { name: 'mode', description: 'stored (default) or decrypted' }],
      response: { status: 200, description: 'The file (Content-Disposition: attachment)' },
      errors: [400, 404],
    },
  },
  '/api/destinations/{id}/backups/verify': {
    post: { summary: "Compare the stored file with its sidecar's hashes (by content hash without downloading where supported)", auth: 'user', body: 'BackupKey', response: { status: 200, schema: 'VerifyResult' }, errors: [400, 404] },
  },
  '/api/destinations/{id}/backups/restore': {
    post: { summary: 'Start restoring a backup into a source; poll /api/restores/{id}', auth: 'user', body: 'RestoreInput', response: { status: 202, schema: 'RestoreOperation' }, errors: [400, 404] },
  },
  '/api/restores': {
    get: {
      summary: 'Restore history (web UI, API and CLI restores, kept across restarts), newest first, with their logs',
      auth: 'user',
      query: [
        { name: 'status', description: 'running, success, failed, cancelled or interrupted' },
        { name: 'before', description: 'Restores started before this ISO time (paging)' },
        { name: 'limit', description: 'Default 50, at most 500' },
      ],
      response: { status: 200, schema: 'RestoreOperationList' },
      errors: [400],
    },
  },
  '/api/restores/{id}': { get: { summary: 'One restore: stage, bytes, outcome, log', auth: 'user', response: { status: 200, schema: 'RestoreOperation' }, errors: [404] } },
  '/api/restores/{id}/cancel': {
    post: { summary: 'Cancel a running restore (one that another live DBackup process runs, e.g. the CLI, is refused: cancel it there)', auth: 'user', response: { status: 200, schema: 'RestoreOperation' }, errors: [404, 409] },
  },
  '/api/dashboard': {
    get: {
      summary: "Each job's last result and next run; outcomes per day and backup size per job",
      auth: 'user',
      query: [{ name: 'tz', description: 'IANA time zone for the day buckets; default UTC' }, { name: 'days', description: 'Window in days; default 30' }],
      response: { status: 200, schema: 'Dashboard' },
      errors: [400],
    },
  },
};

const runSummary = obj({ id: str(), status: ref('RunStatus'), trigger: { enum: ['manual', 'schedule'] }, queuedAt: time(), startedAt: time(), endedAt: time(), errorMessage: str() }, ['id', 'status', 'trigger', 'queuedAt']);
const retention = obj({ keepLast: int(), daily: int(), weekly: int(), monthly: int(), yearly: int() });
const schedule = obj({ cron: str('Cron expression or a preset name (hourly, daily, weekly, monthly)'), timezone: str('IANA time zone, e.g. Europe/Berlin') }, ['cron', 'timezone']);
const logLine = obj({ seq: int(), at: time(), level: { enum: ['debug', 'info', 'warn', 'error'] }, message: str() }, ['seq', 'at', 'level', 'message']);
const jobRef = obj({ id: str(), name: str() }, ['id', 'name']);

export const BACKUP_SCHEMAS: Record<string, Schema> = {
  SourceInput: obj(
    {
      id: str('Only for /api/sources/test: the saved source whose password to use'),
      type: { enum: ['postgres', 'mysql', 'mariadb', 'sqlite'] },
      name: str(),
      host: str(),
      port: { type: ['integer', 'string'] },
      username: str(),
      password: str('Write-only; blank keeps the stored password'),
      clearPassword: bool(),
      sqlitePath: str('Absolute path of the SQLite file'),
      tlsMode: { ...ref('TlsMode'), description: 'Server sources; blank or missing means prefer' },
      caCertificate: str('PEM text of the CA certificate(s) the server certificate must be signed by; only with verify-ca or verify-full'),
    },
    ['type', 'name'],
  ),
  TlsMode: {
    enum: ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'],
    description:
      "TLS for every connection to the server, after libpq's sslmode: disable (never), prefer (when the server offers it), require (always, certificate not checked), " +
      'verify-ca (always, certificate signed by a trusted CA), verify-full (as verify-ca, and issued for the host name). Without a CA certificate, the verify modes trust the CAs Node.js trusts.',
  },
  Source: obj(
    {
      id: str(), type: { enum: ['postgres', 'mysql', 'mariadb', 'sqlite'] }, name: str(), host: str(), port: int(), username: str(), sqlitePath: str(),
      tlsMode: ref('TlsMode'), caCertificate: str('PEM text, when one is set'), passwordSet: bool(), usedBy: { type: 'array', items: jobRef }, createdAt: time(), updatedAt: time(),
    },
    ['id', 'type', 'name', 'passwordSet', 'usedBy', 'createdAt', 'updatedAt'],
  ),
  SourceList: list('Source'),
  ServerInfo: obj({ engine: { enum: ['postgres', 'mysql', 'mariadb', 'sqlite'] }, serverVersion: str() }, ['engine', 'serverVersion']),
  NameList: { type: 'array', items: str() },
  JobInput: obj(
    {
      name: str(), sourceId: str(), database: str('Not needed for SQLite sources'), destinationIds: { type: 'array', items: str(), minItems: 1 },
      schedule: { oneOf: [schedule, { type: 'null' }] }, compression: { enum: ['none', 'gzip', 'zstd'], default: 'gzip' },
      encryptionProfileId: { type: ['string', 'null'] }, retention, enabled: bool(),
    },
    ['name', 'sourceId', 'destinationIds'],
  ),
  Job: obj(
    {
      id: str(), name: str(), folderName: str(), sourceId: str(), database: str(), destinationIds: { type: 'array', items: str() }, schedule,
      compression: { enum: ['none', 'gzip', 'zstd'] }, encryptionProfileId: str(), retention, enabled: bool(), createdAt: time(), updatedAt: time(),
      lastRun: runSummary, nextRunAt: time(),
    },
    ['id', 'name', 'folderName', 'sourceId', 'destinationIds', 'compression', 'retention', 'enabled', 'createdAt', 'updatedAt'],
  ),
  JobList: list('Job'),
  SchedulePresets: obj({ presets: { type: 'object', additionalProperties: { type: 'string' } } }, ['presets']),
  SchedulePreviewInput: obj({ cron: str(), timezone: str(), count: int('1–20, default 5') }, ['cron', 'timezone']),
  SchedulePreview: obj({ next: { type: 'array', items: time() } }, ['next']),
  RunStatus: { enum: ['queued', 'running', 'success', 'partial', 'failed', 'cancelled', 'interrupted'] },
  Run: obj(
    {
      id: str(), jobId: str(), jobName: str(), status: ref('RunStatus'), trigger: { enum: ['manual', 'schedule'] }, stage: str('dumping, uploading, retention, …'),
      bytes: int('Dump bytes so far'), rate: int('Bytes per second'), etaSeconds: int(), queuedAt: time(), startedAt: time(), endedAt: time(),
      errorCode: str(), errorMessage: str(), backupKey: str(), owner: str('The process executing the run: host, process id, start time'),
      destinationResults: {
        type: 'array',
        items: obj({ destinationId: str(), destinationName: str(), status: { enum: ['pending', 'success', 'failed'] }, key: str(), bytes: int(), errorCode: str(), errorMessage: str() }, ['destinationId', 'destinationName', 'status']),
      },
    },
    ['id', 'jobId', 'jobName', 'status', 'trigger', 'bytes', 'queuedAt', 'destinationResults'],
  ),
  RunList: list('Run'),
  RunLogs: obj({ lines: { type: 'array', items: logLine }, lastSeq: int(), finished: bool() }, ['lines', 'lastSeq', 'finished']),
  ProfileName: obj({ name: str() }, ['name']),
  ProfileImport: obj({ keyFile: str('The text of an exported key file'), name: str('Default: the name in the file') }, ['keyFile']),
  Profile: obj(
    { id: str(), name: str(), fingerprint: str(), createdAt: time(), usage: obj({ jobs: { type: 'array', items: jobRef }, backups: int() }, ['jobs', 'backups']) },
    ['id', 'name', 'fingerprint', 'createdAt', 'usage'],
  ),
  ProfileList: list('Profile'),
  ProfileExport: obj({ fileName: str(), contents: str('Key file text; keep it secret'), warning: str() }, ['fileName', 'contents', 'warning']),
  BackupKey: obj({ key: str() }, ['key']),
  ExplorerBackup: obj(
    {
      key: str(), fileName: str(), takenAt: time(), storedSize: int(), originalSize: int(), compression: { enum: ['none', 'gzip', 'zstd'] }, encrypted: bool(),
      keyFingerprint: str(), profileName: str(), database: str(), sourceType: str(), engineVersion: str(), verifiedAt: time(), problem: str(),
    },
    ['key', 'fileName', 'takenAt', 'storedSize', 'compression', 'encrypted'],
  ),
  ExplorerListing: obj(
    {
      destinationId: str(), destinationName: str(),
      folders: { type: 'array', items: obj({ name: str(), jobId: str(), jobName: str(), backups: list('ExplorerBackup'), incomplete: int('Backup files without a sidecar (not listed)') }, ['name', 'backups', 'incomplete']) },
    },
    ['destinationId', 'destinationName', 'folders'],
  ),
  VerifyResult: obj({ ok: bool(), method: { enum: ['content_hash', 'download'] }, message: str(), verifiedAt: time() }, ['ok', 'method', 'message']),
  RestoreInput: obj(
    {
      key: str(), sourceId: str(), database: str('Default: the backed-up database; for SQLite a new name is a new file beside the source file'),
      createDatabase: bool(), dropExisting: bool('Replace a target that already holds data'),
      skipOwnership: bool('For a server without the backup\'s accounts. PostgreSQL: leave out ownership and privileges; MySQL/MariaDB: leave out DEFINER clauses (the restoring user becomes the definer)'),
    },
    ['key', 'sourceId'],
  ),
  RestoreStatus: {
    enum: ['running', 'success', 'failed', 'cancelled', 'interrupted'],
    description: 'interrupted: DBackup stopped (killed, crashed, restarted) while the restore ran; the target database may be incomplete (error.message names it and what to do)',
  },
  RestoreOperation: obj(
    {
      id: str(), destinationId: str(), destinationName: str('Current name; "(deleted destination)" once deleted'), key: str(), sourceId: str(),
      sourceName: str('The source\'s name when the restore started'), database: str(), options: obj({ createDatabase: bool(), dropExisting: bool(), skipOwnership: bool() }, ['createDatabase', 'dropExisting', 'skipOwnership']),
      status: ref('RestoreStatus'), stage: { enum: ['starting', 'downloading', 'checking', 'restoring'] }, bytes: int(), totalBytes: int(), startedAt: time(), endedAt: time(),
      error: obj({ code: str(), message: str() }, ['code', 'message']), owner: str('The process executing the restore: host, process id, start time'),
      log: { type: 'array', items: obj({ at: time(), level: { enum: ['info', 'warn', 'error'] }, message: str() }, ['at', 'level', 'message']) },
    },
    ['id', 'destinationId', 'destinationName', 'key', 'sourceId', 'sourceName', 'database', 'options', 'status', 'bytes', 'startedAt', 'log'],
  ),
  RestoreOperationList: list('RestoreOperation'),
  Dashboard: obj(
    {
      jobs: { type: 'array', items: obj({ id: str(), name: str(), enabled: bool(), lastRun: runSummary, nextRunAt: time() }, ['id', 'name', 'enabled']) },
      outcomes: { type: 'array', items: obj({ day: str('YYYY-MM-DD'), success: int(), partial: int(), failed: int() }, ['day', 'success', 'partial', 'failed']) },
      sizes: {
        type: 'array',
        items: obj({ jobId: str(), jobName: str(), points: { type: 'array', items: obj({ at: time(), storedBytes: int(), dumpBytes: int() }, ['at', 'storedBytes', 'dumpBytes']) } }, ['jobId', 'jobName', 'points']),
      },
      active: int('Runs queued or running now'),
      timeZone: str(),
      days: int(),
    },
    ['jobs', 'outcomes', 'sizes', 'active', 'timeZone', 'days'],
  ),
};
