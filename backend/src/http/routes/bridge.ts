import { Router } from 'express';
import { z } from 'zod';
import {
  availabilityBody,
  inviteBody,
  linkAddressBody,
  redeemLinkBody,
  transcriptBody,
  uuidSchema,
  verifyAddressBody,
} from '../../../../protocol/index.ts';
import type { Services } from '../../services.ts';
import { parseInput } from '../../validate.ts';
import { callerOf, requireCaller } from '../auth.ts';

const chatParams = z.object({ chatId: uuidSchema });

/** REST over the email bridge: invitations, personal links, receipts, transcript email, availability, addresses. */
export function bridgeRoutes(s: Services): Router {
  const r = Router();
  const auth = requireCaller(s.sessions);

  // The one route without a session: the personal link itself is the proof.
  r.post('/links/redeem', async (req, res) => {
    const body = parseInput(redeemLinkBody, req.body);
    res.json(await s.bridge.invitations.redeem(body.token, body.label));
  });

  r.post('/chats/:chatId/invitations', auth, async (req, res) => {
    const { chatId } = parseInput(chatParams, req.params);
    const body = parseInput(inviteBody, req.body);
    res.status(201).json(await s.bridge.invitations.invite(callerOf(req), chatId, body.address));
  });
  r.get('/chats/:chatId/delivery', auth, async (req, res) => {
    const { chatId } = parseInput(chatParams, req.params);
    res.json(await s.bridge.delivery(callerOf(req), chatId));
  });
  r.post('/chats/:chatId/transcript', auth, async (req, res) => {
    const { chatId } = parseInput(chatParams, req.params);
    parseInput(transcriptBody, req.body ?? {});
    res.status(202).json(await s.bridge.transcripts.send(callerOf(req), chatId));
  });

  r.get('/me/availability', auth, async (req, res) => {
    res.json(await s.bridge.availability.get(callerOf(req)));
  });
  r.put('/me/availability', auth, async (req, res) => {
    const body = parseInput(availabilityBody, req.body);
    res.json(await s.bridge.availability.set(callerOf(req), body));
  });

  r.post('/me/addresses', auth, async (req, res) => {
    const body = parseInput(linkAddressBody, req.body);
    res.status(202).json(await s.bridge.addressLinks.start(callerOf(req), body.address));
  });
  r.post('/me/addresses/verify', auth, async (req, res) => {
    const body = parseInput(verifyAddressBody, req.body);
    res.json(await s.bridge.addressLinks.verify(callerOf(req), body.linkId, body.code));
  });
  return r;
}
