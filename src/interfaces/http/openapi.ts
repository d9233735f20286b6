/**
 * The OpenAPI 3.1 description of the REST API, served at `/api/openapi.json`. The API tests check
 * that it lists exactly the routes the router serves, so it cannot drift silently.
 */
import { BACKUP_OPERATIONS, BACKUP_SCHEMAS } from './openapi-backups.ts';
import { NOTIFICATION_OPERATIONS, NOTIFICATION_SCHEMAS } from './openapi-notifications.ts';
import { obj, type Operation, ref, type Schema, str } from './openapi-schema.ts';

const OPERATIONS: Record<string, Record<string, Operation>> = {
  '/api/health': { get: { summary: 'Liveness probe', auth: 'none', response: { status: 200, schema: 'Health' } } },
  '/api/openapi.json': { get: { summary: 'This document', auth: 'user', response: { status: 200, description: 'OpenAPI 3.1 document' } } },
  '/api/setup': {
    get: { summary: 'Whether the first administrator must still be created', auth: 'none', response: { status: 200, schema: 'SetupState' } },
    post: { summary: 'Create the first administrator and sign in (only while no user exists)', auth: 'none', body: 'Credentials', response: { status: 201, schema: 'SessionInfo' }, errors: [400, 409] },
  },
  '/api/session': {
    get: { summary: 'The signed-in user and the CSRF token for this session', auth: 'user', response: { status: 200, schema: 'SessionInfo' } },
    post: { summary: 'Sign in (sets the HttpOnly session cookie); 5 failures per minute per address and username', auth: 'none', body: 'Credentials', response: { status: 200, schema: 'SessionInfo' }, errors: [400, 429] },
    delete: { summary: 'Sign out', auth: 'session', response: { status: 204 } },
  },
  '/api/tokens': {
    get: { summary: "The caller's API tokens (never the token text)", auth: 'user', response: { status: 200, schema: 'ApiTokenList' } },
    post: { summary: 'Create an API token; the token text is in this response only', auth: 'user', body: 'ApiTokenInput', response: { status: 201, schema: 'ApiTokenCreated' }, errors: [400] },
  },
  '/api/tokens/{id}': { delete: { summary: 'Revoke an API token', auth: 'user', response: { status: 204 }, errors: [404] } },
  '/api/destinations': {
    get: { summary: 'All destinations (secrets are reported as set/unset only)', auth: 'user', response: { status: 200, schema: 'DestinationList' } },
    post: { summary: 'Create a destination', auth: 'user', body: 'DestinationInput', response: { status: 201, schema: 'Destination' }, errors: [400] },
  },
  '/api/destinations/{id}': {
    get: { summary: 'One destination', auth: 'user', response: { status: 200, schema: 'Destination' }, errors: [404] },
    put: { summary: 'Replace a destination; blank secrets keep the stored values', auth: 'user', body: 'DestinationInput', response: { status: 200, schema: 'Destination' }, errors: [400, 404] },
    delete: { summary: 'Delete a destination (stored backups stay where they are)', auth: 'user', response: { status: 204 }, errors: [404] },
  },
  '/api/destinations/{id}/status': { get: { summary: 'Live status: authorization (token refresh + account call), usage', auth: 'user', response: { status: 200, schema: 'DestinationStatus' }, errors: [404] } },
  '/api/destinations/{id}/folders': {
    get: { summary: 'One level of folders for the folder browser', auth: 'user', query: [{ name: 'path', description: 'Folder to list; empty = root (or app folder)' }], response: { status: 200, schema: 'FolderListing' }, errors: [404, 409] },
  },
  '/api/destinations/{id}/test': { post: { summary: 'Connection test: account, folder (created when missing), write + delete probe', auth: 'user', response: { status: 200, schema: 'ConnectionReport' }, errors: [409, 503] } },
  '/api/destinations/{id}/authorize': { post: { summary: 'Start Dropbox authorization: returns the consent URL (state, PKCE S256, offline access)', auth: 'user', response: { status: 200, schema: 'AuthorizeStart' }, errors: [404, 400] } },
  '/api/adapters/dropbox': { get: { summary: 'Dropbox adapter facts: the redirect URI to register in the App Console', auth: 'user', response: { status: 200, schema: 'DropboxAdapterInfo' } } },
  '/api/adapters/dropbox/callback': {
    get: {
      summary: 'OAuth redirect target. Needs the browser session cookie; redirects (303) to /destinations?oauth=success|error',
      auth: 'none',
      query: [
        { name: 'state', description: 'Single-use state from /authorize' },
        { name: 'code', description: 'Authorization code' },
        { name: 'error', description: 'e.g. access_denied when the user clicked Deny' },
        { name: 'error_description', description: 'Provider text' },
      ],
      response: { status: 303, description: 'Redirect to the destinations page with the outcome' },
    },
  },
  ...BACKUP_OPERATIONS,
  ...NOTIFICATION_OPERATIONS,
};

const SCHEMAS: Record<string, Schema> = {
  Error: obj({ error: obj({ code: str('Stable error code'), message: str('What went wrong and what to do'), details: { type: 'object' } }, ['code', 'message']) }, ['error']),
  Health: obj({ status: { const: 'ok' }, version: str() }, ['status', 'version']),
  SetupState: obj({ needed: { type: 'boolean' } }, ['needed']),
  Credentials: obj({ username: str(), password: str() }, ['username', 'password']),
  User: obj({ id: str(), username: str() }, ['id', 'username']),
  SessionInfo: obj({ user: ref('User'), csrfToken: str('Send as X-CSRF-Token on state-changing requests made with the session cookie'), via: { enum: ['session', 'token'] } }, ['user']),
  ApiTokenInput: obj({ name: str() }, ['name']),
  ApiToken: obj({ id: str(), name: str(), prefix: str(), createdAt: str(), lastUsedAt: str() }, ['id', 'name', 'prefix', 'createdAt']),
  ApiTokenList: { type: 'array', items: ref('ApiToken') },
  ApiTokenCreated: { allOf: [ref('ApiToken'), obj({ token: str('Shown once; use as Authorization: Bearer <token>') }, ['token'])] },
  DestinationInput: obj(
    {
      type: { enum: ['dropbox', 'local'] },
      name: str(),
      config: { type: 'object', description: 'dropbox: { folderPath }; local: { path }', additionalProperties: { type: 'string' } },
      secrets: { type: 'object', description: 'dropbox: { appKey, appSecret }; blank = keep stored value', additionalProperties: { type: 'string' } },
    },
    ['type', 'name'],
  ),
  Destination: obj(
    {
      id: str(),
      type: { enum: ['dropbox', 'local'] },
      name: str(),
      config: { type: 'object', additionalProperties: { type: 'string' } },
      secrets: { type: 'object', description: 'Which secrets are stored; never their values', additionalProperties: { type: 'boolean' } },
      createdAt: str(),
      updatedAt: str(),
    },
    ['id', 'type', 'name', 'config', 'secrets', 'createdAt', 'updatedAt'],
  ),
  DestinationList: { type: 'array', items: ref('Destination') },
  Usage: obj({ used: { type: 'integer' }, allocated: { type: 'integer' } }, ['used']),
  DestinationStatus: obj(
    {
      state: { enum: ['authorized', 'authorization_required', 'ready', 'error'] },
      hasToken: { type: 'boolean' },
      message: str(),
      reason: str(),
      requiredScope: str(),
      account: obj({ name: str(), email: str() }, ['name']),
      usage: ref('Usage'),
    },
    ['state'],
  ),
  FolderListing: obj({ path: str(), folders: { type: 'array', items: obj({ name: str(), path: str() }, ['name', 'path']) } }, ['path', 'folders']),
  ConnectionReport: obj(
    { account: obj({ name: str(), email: str() }, ['name']), folder: obj({ path: str(), created: { type: 'boolean' } }, ['path', 'created']), writeDelete: { const: 'ok' }, usage: ref('Usage') },
    ['folder', 'writeDelete'],
  ),
  AuthorizeStart: obj({ authorizeUrl: str() }, ['authorizeUrl']),
  DropboxAdapterInfo: obj({ redirectUri: str() }, ['redirectUri']),
  ...BACKUP_SCHEMAS,
  ...NOTIFICATION_SCHEMAS,
};

export function createOpenApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, methods] of Object.entries(OPERATIONS)) {
    paths[path] = {};
    for (const [method, operation] of Object.entries(methods)) {
      paths[path][method] = describe(path, operation);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'DBackup REST API',
      version,
      description:
        'Authenticate with an API token (`Authorization: Bearer dbk_…`) or, in the browser, with the session cookie plus the `X-CSRF-Token` header on every state-changing request. Errors are `{ "error": { "code", "message" } }`.',
    },
    paths,
    components: {
      schemas: SCHEMAS,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API token from Settings → API tokens' },
        session: { type: 'apiKey', in: 'cookie', name: 'dbackup_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: 'Required with the session cookie on POST/PUT/DELETE' },
      },
    },
  };
}

function describe(path: string, operation: Operation): Record<string, unknown> {
  const parameters: unknown[] = [...path.matchAll(/\{(\w+)\}/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
  for (const query of operation.query ?? []) parameters.push({ name: query.name, in: 'query', required: false, description: query.description, schema: { type: 'string' } });
  const responses: Record<string, unknown> = {};
  const main = operation.response ?? { status: 200 };
  responses[String(main.status)] = {
    description: main.description ?? (main.status === 204 ? 'Done' : 'OK'),
    ...(main.schema ? { content: { 'application/json': { schema: ref(main.schema) } } } : {}),
  };
  const errorStatuses = new Set(operation.errors ?? []);
  if (operation.auth !== 'none') errorStatuses.add(401);
  for (const status of errorStatuses) responses[String(status)] = { description: 'Error', content: { 'application/json': { schema: ref('Error') } } };
  const security = operation.auth === 'none' ? [] : operation.auth === 'session' ? [{ session: [], csrf: [] }] : [{ bearer: [] }, { session: [], csrf: [] }];
  return {
    summary: operation.summary,
    security,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(operation.body) } } } } : {}),
    responses,
  };
}
