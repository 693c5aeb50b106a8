/**
 * "Embed IM" in the compose window, and keeping the chat in step with the email at send time.
 * The chat's audience is the draft's sender and recipients; the final recipients are synced just
 * before send. Sending never waits on the chat server for longer than a short grace period.
 */
import type { AudienceInput, ChatView, CreateChatBody } from '../../../protocol/index.ts';
import { chatUrlFor, findChatIdInHtml, findChatIdInText, panelHtml, panelText } from '../../../ui/src/email-panel.ts';
import type { ComposeDetails, ComposeRecipientList, CustomHeader, Messenger, Tab } from '../messenger.ts';
import { addressesOf } from '../shared/addresses.ts';

/** The header that names the chat in the sent email (Thunderbird only allows X- custom headers). */
export const CHAT_HEADER = 'X-Inbox-Chat';

/** The REST calls compose needs; the shared ApiClient provides them. */
export interface ComposeApi {
  createChat(body: CreateChatBody): Promise<ChatView>;
  replaceAudience(chatId: string, audience: AudienceInput): Promise<ChatView>;
}

export interface ComposeDeps {
  /** Null when signed out. */
  api(): ComposeApi | null;
  backendUrl(): string;
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

/**
 * Per compose tab: the draft key that makes a second "Embed IM" reuse the same chat. Kept in
 * `storage.session` because the background may be suspended between two clicks.
 */
const DRAFTS_KEY = 'composeDrafts';

export class ComposeChats {
  constructor(
    private readonly m: Messenger,
    private readonly deps: ComposeDeps,
  ) {}

  private async drafts(): Promise<Record<string, string>> {
    const raw = (await this.m.storage.session.get(DRAFTS_KEY))[DRAFTS_KEY];
    return raw && typeof raw === 'object' ? (raw as Record<string, string>) : {};
  }

  private async draftKeyOf(tabId: number): Promise<string> {
    const drafts = await this.drafts();
    const key = drafts[tabId] ?? `thunderbird:${crypto.randomUUID()}`;
    if (!drafts[tabId]) await this.m.storage.session.set({ [DRAFTS_KEY]: { ...drafts, [tabId]: key } });
    return key;
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
    const panel = { chatUrl: chatUrlFor(this.deps.backendUrl(), chat.id), chatId: chat.id, subject };
    const message: InsertPanelMessage = {
      type: 'inbox-chat:insert-panel',
      html: panelHtml(panel),
      text: panelText(panel),
      plainText: details.isPlainText === true,
    };
    await this.m.tabs.sendMessage(tabId, message);
    return { status: 'inserted', chatId: chat.id };
  }

  /**
   * onBeforeSend: sync the audience with the final recipients (bounded wait) and name the chat
   * in a header. Never cancels the send.
   */
  async beforeSend(tab: Tab, details: ComposeDetails): Promise<{ details?: ComposeDetails }> {
    const chatId = chatIdOfDraft(details);
    if (!chatId) return {};
    const api = this.deps.api();
    if (api) {
      const grace = this.deps.syncGraceMs ?? 3_000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const sync = this.audienceOf(details).then((audience) => api.replaceAudience(chatId, audience));
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), grace)));
      try {
        const r = await Promise.race([sync, late]);
        if (r === 'late') this.deps.log?.(`audience sync for ${chatId} still running at send; not waiting`);
      } catch (err) {
        // Not the owner (a quoted panel from someone else's chat), offline, or signed out: send anyway.
        this.deps.log?.(`audience sync for ${chatId} failed`, err);
      } finally {
        clearTimeout(timer);
      }
      sync.catch(() => undefined);
    }
    if (tab.id !== undefined) await this.forget(tab.id);
    const headers: CustomHeader[] = (details.customHeaders ?? []).filter((h) => h.name.toLowerCase() !== CHAT_HEADER.toLowerCase());
    return { details: { customHeaders: [...headers, { name: CHAT_HEADER, value: chatId }] } };
  }

  async forget(tabId: number): Promise<void> {
    const drafts = await this.drafts();
    if (!(tabId in drafts)) return;
    delete drafts[tabId];
    await this.m.storage.session.set({ [DRAFTS_KEY]: drafts });
  }
}
