import { Router } from 'express';
import { z } from 'zod';
import {
  accessDecisionBody,
  accessRequestBody,
  addAudienceBody,
  createChatBody,
  historyQuery,
  markReadBody,
  memberSettingsBody,
  replaceAudienceBody,
  sendMessageBody,
  uuidSchema,
} from '../../../../protocol/index.ts';
import type { Services } from '../../services.ts';
import { parseInput } from '../../validate.ts';
import { callerOf, requireCaller } from '../auth.ts';

const chatParams = z.object({ chatId: uuidSchema });
const seqParams = z.object({ chatId: uuidSchema, seq: z.coerce.number().int().min(1).max(2_147_483_647) });
const requestParams = z.object({ chatId: uuidSchema, requestId: uuidSchema });

/** REST over the chat domain. Every route authenticates; the domain checks membership. */
export function chatRoutes(s: Services): Router {
  const r = Router();
  r.use(requireCaller(s.sessions));

  r.get('/chats', async (req, res) => {
    res.json({ chats: await s.myChats(callerOf(req)) });
  });
  r.post('/chats', async (req, res) => {
    const body = parseInput(createChatBody, req.body);
    res.status(201).json(await s.chats.create(callerOf(req), body));
  });
  r.get('/chats/:chatId', async (req, res) => {
    const { chatId } = parseInput(chatParams, req.params);
    res.json(await s.chats.view(callerOf(req), chatId));
  });
  r.post('/chats/:chatId/open', async (req, res) => {
    const { chatId } = parseInput(chatParams, req.params);
    res.json(await s.chats.open(callerOf(req), chatId));
  });
  r.delete('/chats/:chatId', async (req, res) => {
    const { chatId } = parseInput(chatParams, req.params);
    res.json(await s.chats.end(callerOf(req), chatId));
  });
  r.put('/chats/:chatId/audience', async (req, res) => {
    const { chatId } = parseInput(chatParams, req.params);
    const body = parseInput(replaceAudienceBody, req.body);
    res.json(await s.chats.replaceAudience(callerOf(req), chatId, body.audience));
  });
  r.post('/chats/:chatId/audience', async (req, res) => {
    const { chatId } = parseInput(chatParams, req.params);
    const body = parseInput(addAudienceBody, req.body);
    res.json(await s.chats.addToAudience(callerOf(req), chatId, body.address));
  });
  r.patch('/chats/:chatId/me', async (req, res) => {
    const { chatId } = parseInput(chatParams, req.params);
    const body = parseInput(memberSettingsBody, req.body);
    res.json(await s.chats.updateMySettings(callerOf(req), chatId, body));
  });
  r.get('/chats/:chatId/messages', async (req, res) => {
    const { chatId } = parseInput(chatParams, req.params);
    const q = parseInput(historyQuery, req.query);
    res.json(await s.messages.history(callerOf(req), chatId, q));
  });
  r.post('/chats/:chatId/messages', async (req, res) => {
    const { chatId } = parseInput(chatParams, req.params);
    const body = parseInput(sendMessageBody, req.body);
    res.status(201).json(await s.messages.send(callerOf(req), chatId, body.clientId, body.body));
  });
  r.delete('/chats/:chatId/messages/:seq', async (req, res) => {
    const { chatId, seq } = parseInput(seqParams, req.params);
    res.json(await s.messages.delete(callerOf(req), chatId, seq));
  });
  r.post('/chats/:chatId/read', async (req, res) => {
    const { chatId } = parseInput(chatParams, req.params);
    const body = parseInput(markReadBody, req.body);
    res.json({ lastReadSeq: await s.messages.markRead(callerOf(req), chatId, body.seq) });
  });
  r.post('/chats/:chatId/access-requests', async (req, res) => {
    const { chatId } = parseInput(chatParams, req.params);
    const body = parseInput(accessRequestBody, req.body ?? {});
    res.status(201).json(await s.accessRequests.request(callerOf(req), chatId, body.note));
  });
  r.get('/chats/:chatId/access-requests', async (req, res) => {
    const { chatId } = parseInput(chatParams, req.params);
    res.json({ requests: await s.accessRequests.pending(callerOf(req), chatId) });
  });
  r.get('/chats/:chatId/access-requests/mine', async (req, res) => {
    const { chatId } = parseInput(chatParams, req.params);
    res.json({ request: await s.accessRequests.mine(callerOf(req), chatId) });
  });
  r.post('/chats/:chatId/access-requests/:requestId', async (req, res) => {
    const { chatId, requestId } = parseInput(requestParams, req.params);
    const body = parseInput(accessDecisionBody, req.body);
    res.json(await s.accessRequests.decide(callerOf(req), chatId, requestId, body.decision));
  });
  return r;
}
