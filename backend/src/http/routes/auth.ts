import { Router } from 'express';
import { authLinkBody, authStartBody, authVerifyBody } from '../../../../protocol/index.ts';
import type { Services } from '../../services.ts';
import { parseInput } from '../../validate.ts';
import { callerOf, requireCaller } from '../auth.ts';

export function authRoutes(s: Services): Router {
  const r = Router();
  r.post('/auth/start', async (req, res) => {
    const body = parseInput(authStartBody, req.body);
    res.status(202).json(await s.verification.start(body.address, req.ip ?? 'unknown', body.chatId));
  });
  r.post('/auth/verify', async (req, res) => {
    const body = parseInput(authVerifyBody, req.body);
    res.json(await s.verification.verifyCode(body.verificationId, body.code, body.label));
  });
  r.post('/auth/link', async (req, res) => {
    const body = parseInput(authLinkBody, req.body);
    res.json(await s.verification.verifyLink(body.token, body.label));
  });
  r.post('/auth/logout', requireCaller(s.sessions), async (req, res) => {
    await s.sessions.revoke(callerOf(req).sessionId);
    res.status(204).end();
  });
  r.get('/me', requireCaller(s.sessions), (req, res) => {
    const c = callerOf(req);
    res.json({ id: c.identityId, addresses: c.addresses, chatId: c.chatScope });
  });
  return r;
}
