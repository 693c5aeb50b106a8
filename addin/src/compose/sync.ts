/// <reference types="office-js" />
/**
 * Keeps a chat in step with the draft it was embedded in. Used by the recipients-changed and
 * send handlers and by the compose pane. Never throws: whatever cannot be delivered now is queued.
 */
import type { AudienceInput } from '../../../protocol/index.ts';
import { draftHasPanel } from '../../../mail-client/panel.ts';
import { withTimeout } from '../office/async.ts';
import { bodyContent, bodyKind, readAudience, readDraftState, setChatHeader, writeDraftState } from './draft.ts';
import type { ChatsApi } from './embed.ts';
import type { PendingChanges } from '../../../mail-client/pending-changes.ts';

export interface SyncOptions {
  api: ChatsApi;
  pending: PendingChanges;
  serverUrl: string;
  /** How long to wait for the server before queueing instead. */
  timeoutMs: number;
  /** On send: a chat whose panel was removed from the draft is ended. */
  sending: boolean;
}

export type SyncOutcome = { action: 'none' } | { action: 'audience' | 'end'; chatId: string; delivered: boolean };

export async function syncDraft(item: Office.MessageCompose, opts: SyncOptions): Promise<SyncOutcome> {
  let state;
  try {
    state = await readDraftState(item);
  } catch {
    return { action: 'none' };
  }
  const chatId = state.chatId;
  if (!chatId) return { action: 'none' };

  if (opts.sending && !(await panelStillThere(item, chatId, opts.serverUrl))) {
    await writeDraftState(item, { draftKey: state.draftKey, chatId: null }).catch(() => undefined);
    await setChatHeader(item, null).catch(() => undefined);
    const delivered = await deliver(opts, chatId, { kind: 'end', chatId, at: new Date().toISOString() }, () => opts.api.endChat(chatId));
    return { action: 'end', chatId, delivered };
  }

  let audience: AudienceInput;
  try {
    audience = await readAudience(item);
  } catch {
    return { action: 'none' };
  }
  const delivered = await deliver(opts, chatId, { kind: 'audience', chatId, audience, at: new Date().toISOString() }, () =>
    opts.api.replaceAudience(chatId, audience),
  );
  return { action: 'audience', chatId, delivered };
}

async function panelStillThere(item: Office.MessageCompose, chatId: string, serverUrl: string): Promise<boolean> {
  try {
    const kind = await bodyKind(item);
    return draftHasPanel({ [kind]: await bodyContent(item, kind) }, chatId, serverUrl);
  } catch {
    // Cannot read the body: never end a chat on a guess.
    return true;
  }
}

async function deliver(
  opts: SyncOptions,
  chatId: string,
  change: Parameters<PendingChanges['put']>[0],
  call: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await withTimeout(call(), opts.timeoutMs);
    await opts.pending.drop(chatId).catch(() => undefined);
    return true;
  } catch {
    // Slow, down or refusing: keep the latest wish; the next pane or event delivers it.
    await opts.pending.put(change).catch(() => undefined);
    return false;
  }
}
