import type { NextFunction, Request, Response } from 'express';
import type { Caller, Sessions } from '../identity/sessions.ts';

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}

/** Requires a valid session token; sets req.caller. */
export function requireCaller(sessions: Sessions) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    req.caller = await sessions.authenticate(bearerToken(req.headers.authorization));
    next();
  };
}

export function callerOf(req: Request): Caller {
  if (!req.caller) throw new Error('route mounted without requireCaller');
  return req.caller;
}
