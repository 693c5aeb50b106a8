/**
 * "Embed IM" in the compose window, and keeping the chat in step with the email at send time.
 * The chat's audience is the draft's sender and recipients; the final recipients are synced just
 * before send, and a chat whose panel was taken out of the draft is ended (as in Outlook).
 * Sending never waits on the chat server for longer than a short grace period.
 */
import type { AudienceInput, ChatView, CreateChatBody } from '../../../protocol/index.ts';
import { CHAT_HEADER } from '../../../mail-client/chat-header.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';
import { draftHasPanel, findChatIdInHtml, findChatIdInText, panelHtml, panelText } from '../../../mail-client/panel.ts';
import { PendingChanges, type PendingChange, type PendingStore } from '../../../mail-client/pending-changes.ts';
import type { ComposeDetails, ComposeRecipientList, CustomHeader, Messenger, Tab } from '../messenger.ts';
import { addressesOf } from '../shared/addresses.ts';

/** The REST calls compose needs; the shared ApiClient provides them. */
export interface ComposeApi {
  createChat(body: CreateChatBody): Promise<ChatView>;
  replaceAudience(chatId: string, audience: AudienceInput): Promise<ChatView>;
  endChat(chatId: string): Promise<ChatView>;
}

export interface ComposeDeps {
  /** Null when signed out. */
  api(): ComposeApi | null;
  backendUrl(): string;
  /** What could not reach the server at send; delivered when the background next runs. */
  pending: PendingChanges;
  /** How long send may wait for the audience sync. */
  syncGraceMs?: number;
  log?: (message: string, err?: unknown) => void;
}

export type EmbedResult =
  { status: 'inserted'; chatId: string } | { status: 'already-embedded'; chatId: string } | { status: 'signed-out' };

/** The message the compose script acts on. */
export interface InsertPanelMessage {
  type: 'inbox-chat:insert-panel';
  html: string;
  text: string;
  plainText: boolean;
}

export function chatIdOfDraft(details: ComposeDetails, base?: string): string | null {
  return (
    (details.body ? findChatIdInHtml(details.body, base) : null) ??
    (details.plainTextBody ? findChatIdInText(details.plainTextBody, base) : null)
  );
}

function recipients(list: ComposeRecipientList | undefined): string[] {
  if (list === undefined) return [];
  // Address-book entries (contact/mailingList objects) are expanded by Thunderbird before send;
  // strings are what the compose window holds for typed recipients.
  const arr = Array.isArray(list) ? list : [list];
  return addressesOf(arr.filter((r): r is string => typeof r === 'string'));
}

/** The queue of undelivered changes in `storage.local`: it outlives suspensions and restarts. */
export function pendingChangesIn(m: Messenger): PendingChanges {
  const store: PendingStore = {
    async get(key) {
      const v: unknown = (await m.storage.local.get(key))[key];
      return typeof v === 'string' ? v : null;
    },
    set: (key, value) => m.storage.local.set({ [key]: value }),
  };
  return new PendingChanges(store, 'pendingChanges');
}

/**
 * Per compose tab: the draft key that makes a second "Embed IM" reuse the same chat, and the chat
 * embedded in it (not a panel quoted from someone else's email), whose panel must still be there
 * at send. Kept in `storage.session` because the background may be suspended between two clicks.
 */
const DRAFTS_KEY = 'composeDrafts';

interface DraftState {
  draftKey: string;
  chatId: string | null;
}

export class ComposeChats {
  constructor(
    private readonly m: Messenger,
    private readonly deps: ComposeDeps,
  ) {}

  private async drafts(): Promise<Record<string, DraftState>> {
    const raw: unknown = (await this.m.storage.session.get(DRAFTS_KEY))[DRAFTS_KEY];
    const out: Record<string, DraftState> = {};
    if (!raw || typeof raw !== 'object') return out;
    for (const [tab, v] of Object.entries(raw)) {
      // A background from before the embedded chat was kept stored the draft key alone.
      if (typeof v === 'string') out[tab] = { draftKey: v, chatId: null };
      else if (v && typeof v === 'object' && 'draftKey' in v && typeof v.draftKey === 'string')
        out[tab] = { draftKey: v.draftKey, chatId: 'chatId' in v && typeof v.chatId === 'string' ? v.chatId : null };
    }
    return out;
  }

  private async saveDraft(tabId: number, state: DraftState): Promise<void> {
    await this.m.storage.session.set({ [DRAFTS_KEY]: { ...(await this.drafts()), [tabId]: state } });
  }

  private async draftKeyOf(tabId: number): Promise<string> {
    const existing = (await this.drafts())[tabId];
    if (existing) return existing.draftKey;
    const draftKey = `thunderbird:${crypto.randomUUID()}`;
    await this.saveDraft(tabId, { draftKey, chatId: null });
    return draftKey;
  }

  async audienceOf(details: ComposeDetails): Promise<{ from: string[]; to: string[]; cc: string[]; bcc: string[] }> {
    let from = typeof details.from === 'string' ? addressesOf(details.from) : [];
    if (from.length === 0 && details.identityId && this.m.identities) {
      const identity = await this.m.identities.get(details.identityId).catch(() => null);
      if (identity?.email) from = addressesOf(identity.email);
    }
    return { from, to: recipients(details.to), cc: recipients(details.cc), bcc: recipients(details.bcc) };
  }

  async embed(tab: Tab): Promise<EmbedResult> {
    const tabId = tab.id!;
    const api = this.deps.api();
    if (!api) return { status: 'signed-out' };
    const details = await this.m.compose.getComposeDetails(tabId);
    const existing = chatIdOfDraft(details);
    if (existing) return { status: 'already-embedded', chatId: existing };

    const draftKey = await this.draftKeyOf(tabId);
    const subject = details.subject ?? '';
    const chat = await api.createChat({
      subject,
      audience: await this.audienceOf(details),
      draftKey,
      source: 'EMAIL',
      retention: 'ARCHIVED',
    });
    const panel = { chatUrl: chatUrl(this.deps.backendUrl(), chat.id), chatId: chat.id, subject };
    const message: InsertPanelMessage = {
      type: 'inbox-chat:insert-panel',
      html: panelHtml(panel),
      text: panelText(panel),
      plainText: details.isPlainText === true,
    };
    await this.m.tabs.sendMessage(tabId, message);
    await this.saveDraft(tabId, { draftKey, chatId: chat.id });
    return { status: 'inserted', chatId: chat.id };
  }

  /**
   * onBeforeSend: end the chat embedded here if its panel was taken out, sync the audience of the
   * panel's chat with the final recipients, and name that chat in a header. Bounded waits; never
   * cancels the send.
   */
  async beforeSend(tab: Tab, details: ComposeDetails): Promise<{ details?: ComposeDetails }> {
    const embedded = tab.id !== undefined ? ((await this.drafts())[tab.id]?.chatId ?? null) : null;
    if (tab.id !== undefined) await this.forget(tab.id);
    const calls: Promise<void>[] = [];
    const at = new Date().toISOString();
    if (embedded && !draftHasPanel({ html: details.body, text: details.plainTextBody }, embedded)) {
      calls.push(this.deliver({ kind: 'end', chatId: embedded, at }, (api) => api.endChat(embedded)));
    }
    const chatId = chatIdOfDraft(details);
    if (chatId) {
      const audience = await this.audienceOf(details);
      // Refused for good when I am not the owner (a quoted panel from someone else's chat): dropped, sent anyway.
      calls.push(this.deliver({ kind: 'audience', chatId, audience, at }, (api) => api.replaceAudience(chatId, audience)));
    }
    await Promise.all(calls);
    if (!chatId) return {};
    const headers: CustomHeader[] = (details.customHeaders ?? []).filter((h) => h.name.toLowerCase() !== CHAT_HEADER.toLowerCase());
    return { details: { customHeaders: [...headers, { name: CHAT_HEADER, value: chatId }] } };
  }

  /**
   * Makes a change on the server, waiting at most the grace period: sending goes on regardless.
   * Late, failed or signed out, the change is queued, and flushPending() delivers it later (a late
   * call may then arrive twice; both calls are idempotent).
   */
  private async deliver(change: PendingChange, call: (api: ComposeApi) => Promise<unknown>): Promise<void> {
    const api = this.deps.api();
    if (!api) {
      await this.deps.pending.put(change).catch(() => undefined);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const work = call(api);
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.deps.syncGraceMs ?? 3_000)));
    try {
      if ((await Promise.race([work, late])) === 'late') {
        this.deps.log?.(`${change.kind} for ${change.chatId} still running at send; queued, not waiting`);
        await this.deps.pending.put(change).catch(() => undefined);
      } else {
        await this.deps.pending.drop(change.chatId).catch(() => undefined);
      }
    } catch (err) {
      this.deps.log?.(`${change.kind} for ${change.chatId} failed; queued`, err);
      await this.deps.pending.put(change).catch(() => undefined);
    } finally {
      clearTimeout(timer);
    }
    work.catch(() => undefined);
  }

  /** Delivers what earlier sends could not; a change the server refuses for good is dropped. */
  async flushPending(): Promise<void> {
    const api = this.deps.api();
    if (!api) return;
    const r = await this.deps.pending.flush(api);
    if (r.delivered || r.kept) this.deps.log?.(`pending changes: ${r.delivered} delivered, ${r.kept} still waiting`);
  }

  async forget(tabId: number): Promise<void> {
    const drafts = await this.drafts();
    if (!(tabId in drafts)) return;
    delete drafts[tabId];
    await this.m.storage.session.set({ [DRAFTS_KEY]: drafts });
  }
}
