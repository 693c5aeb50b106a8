/**
 * The OpenAPI 3.1 document of the REST API, generated from the route table (routes.ts) and the
 * zod schemas of its routes (index.ts), so it cannot drift from what the server accepts:
 * requests are described as the schemas' input side, answers as their output side.
 * Served at `GET /api/openapi.json`. Server-side only (it needs zod at run time).
 */
import { z } from 'zod';
import { SERVER_ERROR_CODES } from './codes.ts';
import { errorBody, ROUTES, routeSchemas, type RouteName, type RouteSchemas, type RouteSpec } from './index.ts';

type JsonSchema = Record<string, unknown>;

/** The error statuses a route may answer with; the body is always ErrorBody. */
const ERROR_RESPONSES = {
  '400': 'BAD_INPUT or CODE_WRONG: the request failed validation (the message names the field)',
  '401': 'UNAUTHENTICATED: no valid session token',
  '403': 'FORBIDDEN or NOT_IN_AUDIENCE',
  '404': 'NOT_FOUND',
  '409': 'CONFLICT or CHAT_ENDED',
  '410': 'CODE_EXPIRED or LINK_EXPIRED',
  '413': 'TOO_LARGE',
  '429': 'RATE_LIMITED, QUOTA_EXCEEDED or TOO_MANY_ATTEMPTS (Retry-After where known)',
  '500': 'INTERNAL',
  '503': 'UNAVAILABLE: mail server or database unavailable, or the node is shutting down',
} as const;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // Every schema is representable; 'throw' makes a new unrepresentable one fail its test, not vanish.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'throw' });
  return rest;
}

/** `/chats/:chatId` -> `/chats/{chatId}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z]+)/g, '{$1}');
}

/** Path or query parameters, one per property of an object schema. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const s = jsonSchema(schema, 'input');
  const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((s.required ?? []) as string[]);
  return Object.entries(properties).map(([name, propertySchema]) => ({
    name,
    in: where,
    // Path parameters are always required in OpenAPI.
    required: where === 'path' || required.has(name),
    schema: propertySchema,
  }));
}

function operation(name: RouteName, spec: RouteSpec, schemas: RouteSchemas): JsonSchema {
  const success = schemas.response
    ? { description: spec.summary, content: { 'application/json': { schema: jsonSchema(schemas.response, 'output') } } }
    : { description: spec.summary };
  const errors = Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([status, description]) => [
      status,
      { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } } },
    ]),
  );
  return {
    operationId: name,
    summary: spec.summary,
    ...(spec.auth === 'session' ? {} : { security: [] }),
    parameters: [...parameters(schemas.params, 'path'), ...parameters(schemas.query, 'query')],
    ...(schemas.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(schemas.body, 'input') } } } }
      : {}),
    responses: { [String(spec.status)]: success, ...errors },
  };
}

export function openApiDocument(opts: { serverUrl?: string } = {}): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const name of Object.keys(ROUTES) as RouteName[]) {
    const spec: RouteSpec = ROUTES[name];
    const item = (paths[openApiPath(spec.path)] ??= {});
    item[spec.method.toLowerCase()] = operation(name, spec, routeSchemas[name]);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Inbox Chat API',
      version: '1',
      description: `Every body is defined once, with zod, in protocol/index.ts. Error codes: ${SERVER_ERROR_CODES.join(', ')}.`,
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: `${opts.serverUrl ?? ''}/api` }],
    security: [{ session: [] }],
    paths,
    components: {
      schemas: { ErrorBody: jsonSchema(errorBody, 'output') },
      securitySchemes: {
        session: { type: 'http', scheme: 'bearer', description: 'The token of a session from /auth/verify, /auth/link or /links/redeem' },
      },
    },
  };
}
