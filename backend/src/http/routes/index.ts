import type { NextFunction, Request, Response, Router } from 'express';
import {
  ROUTES,
  routeSchemas,
  type HttpMethod,
  type RouteInput,
  type RouteName,
  type RouteResponse,
  type RouteSchemas,
  type RouteSpec,
} from '../../../../protocol/index.ts';
import type { Caller, Sessions } from '../../identity/sessions.ts';
import { parseInput } from '../../validate.ts';
import { callerOf, requireCaller } from '../auth.ts';

/**
 * What a handler knows of its request besides the validated input: the caller only where the
 * route demands a session; the client's languages (Accept-Language, best first) for what is
 * written to someone the server knows nothing about yet (a sign-in code's email).
 */
export type HandlerContext<N extends RouteName> = (typeof ROUTES)[N]['auth'] extends 'session'
  ? { caller: Caller; ip: string; languages: string[] }
  : { ip: string; languages: string[] };

/** A language tag as Accept-Language may carry one (BCP 47 shape); anything else is ignored. */
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;

/** The request's Accept-Language tags, best first, at most a few (the header is the client's to fill). */
function languagesOf(req: Request): string[] {
  return req
    .acceptsLanguages()
    .filter((tag) => LANGUAGE_TAG.test(tag))
    .slice(0, 8);
}

export type RouteHandler<N extends RouteName> = (input: RouteInput<N>, ctx: HandlerContext<N>) => Promise<RouteResponse<N>>;

/** One handler per route of the table: the compiler refuses a missing or an extra one. */
export type RouteHandlers = { [N in RouteName]: RouteHandler<N> };

type Middleware = (req: Request, res: Response, next: NextFunction) => unknown;

/**
 * Registers every route of protocol/routes.ts, in the table's order, on `router`: the session
 * check for 'session' routes, then zod validation of path parameters, query and body (a missing
 * body counts as `{}`), then the handler, whose answer goes out with the table's status.
 */
export function registerRoutes(router: Router, handlers: RouteHandlers, sessions: Sessions): void {
  const auth = requireCaller(sessions);
  const on: Record<HttpMethod, (path: string, ...h: Middleware[]) => unknown> = {
    GET: (path, ...h) => router.get(path, ...h),
    POST: (path, ...h) => router.post(path, ...h),
    PUT: (path, ...h) => router.put(path, ...h),
    PATCH: (path, ...h) => router.patch(path, ...h),
    DELETE: (path, ...h) => router.delete(path, ...h),
  };
  for (const name of Object.keys(ROUTES) as RouteName[]) {
    const spec: RouteSpec = ROUTES[name];
    const handle = endpoint(name, handlers);
    on[spec.method](spec.path, ...(spec.auth === 'session' ? [auth, handle] : [handle]));
  }
}

function endpoint<N extends RouteName>(name: N, handlers: RouteHandlers): Middleware {
  const spec: RouteSpec = ROUTES[name];
  const schemas: RouteSchemas = routeSchemas[name];
  const handler: RouteHandler<N> = handlers[name];
  return async (req, res) => {
    // Validated against this route's own schemas just above: the types follow from the table.
    const input = {
      params: schemas.params ? parseInput(schemas.params, req.params) : undefined,
      query: schemas.query ? parseInput(schemas.query, req.query) : undefined,
      body: schemas.body ? parseInput(schemas.body, req.body ?? {}) : undefined,
    } as RouteInput<N>;
    const ip = req.ip ?? 'unknown';
    const languages = languagesOf(req);
    const ctx = (spec.auth === 'session' ? { caller: callerOf(req), ip, languages } : { ip, languages }) as HandlerContext<N>;
    const result = await handler(input, ctx);
    if (spec.status === 204) res.status(204).end();
    else res.status(spec.status).json(result);
  };
}
