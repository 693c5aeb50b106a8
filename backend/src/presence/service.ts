/**
 * Presence as people may see it, over REST: the setting, a chat's member presence, the contact
 * list and blocked addresses; changes of who may see go through the publisher (publisher.ts),
 * which pushes them. Knows nothing of HTTP or sockets.
 */
import type pg from 'pg';
import { AppError } from '../errors.ts';
import { normaliseAddress } from '../identity/addresses.ts';
import type { Caller } from '../identity/sessions.ts';
import type { Logger } from '../log.ts';
import type { MemberHandles } from '../chats/handles.ts';
import type { ChatService } from '../chats/chats.ts';
import type { Presence } from '../email-bridge/presence.ts';
import type {
  BlocksView,
  ChatCapabilitiesView,
  ChatPresenceView,
  ClientCapabilities,
  ContactsView,
  PresenceSettingsView,
  PresenceView,
  PresenceVisibility,
} from '../../../protocol/index.ts';
import { loadCapabilities, saveCapabilities } from './capabilities.ts';
import { addBlock, listBlocks, removeBlock } from './blocks.ts';
import { chatAccepted, contactHandle, listContacts, removeContact } from './contacts.ts';
import { PresencePublisher, type PresenceEvents } from './publisher.ts';
import { loadRelations, loadVisibilitySettings, relationOf } from './relations.ts';
import { presenceSurfaces } from './rule.ts';
import { PresenceStates } from './states.ts';

export interface PresenceDeps {
  pool: pg.Pool;
  presence: Presence;
  handles: MemberHandles;
  chats: ChatService;
  events: PresenceEvents;
  log: Logger;
  /** Hidden (no visible client) for this long while connected: away. */
  awayMs: number;
}

export class PresenceService {
  private readonly states: PresenceStates;
  private readonly publisher: PresencePublisher;

  constructor(private readonly d: PresenceDeps) {
    this.publisher = new PresencePublisher(d.pool, d.handles, d.events, () => this.states, d.log);
    this.states = new PresenceStates(d.pool, d.presence, d.awayMs, (id) => this.publisher.changed([id]));
  }

  // ---------- the setting ----------

  async settings(caller: Caller): Promise<PresenceSettingsView> {
    return { visibility: (await loadVisibilitySettings(this.d.pool, [caller.identityId])).get(caller.identityId)! };
  }

  async setSettings(caller: Caller, visibility: PresenceVisibility): Promise<PresenceSettingsView> {
    requireFullSession(caller, 'change who sees your presence');
    await this.publisher.reannounce(caller.identityId, () =>
      this.d.pool.query(
        `INSERT INTO presence_setting (identity_id, visibility) VALUES ($1, $2::"PresenceVisibility")
         ON CONFLICT (identity_id) DO UPDATE SET visibility = EXCLUDED.visibility, updated_at = now()`,
        [caller.identityId, visibility],
      ),
    );
    return this.settings(caller);
  }

  // ---------- what a viewer may see ----------

  /** Presence of the chat's members I see there (the Bcc rule) and who let me see theirs. */
  async chatPresence(caller: Caller, chatId: string): Promise<ChatPresenceView> {
    const visible = await this.visibleInChat(caller, chatId);
    return {
      chatId,
      members: [...visible].map(([id, v]) => ({ identityId: this.d.chats.memberHandle(chatId, id), presence: v.presence })),
    };
  }

  /**
   * What the clients of those same members can do: a client's kind and devices say as much as
   * presence does about someone (that they use the chat at all, from where), so the presence
   * rule decides here too.
   */
  async chatCapabilities(caller: Caller, chatId: string): Promise<ChatCapabilitiesView> {
    const visible = await this.visibleInChat(caller, chatId);
    const reports = await loadCapabilities(this.d.pool, [...visible.keys()]);
    return {
      chatId,
      members: [...visible.keys()].map((id) => ({ identityId: this.d.chats.memberHandle(chatId, id), client: reports.get(id) ?? null })),
    };
  }

  /** The caller's client reported what it can do: news goes to whoever may see their presence. */
  async reportCapabilities(caller: Caller, caps: ClientCapabilities): Promise<void> {
    const changed = await saveCapabilities(this.d.pool, caller.identityId, caps);
    if (changed) await this.publisher.capabilitiesChanged(caller.identityId, changed);
  }

  async contacts(caller: Caller): Promise<ContactsView> {
    requireFullSession(caller, 'see your contacts');
    const rows = await listContacts(this.d.pool, caller.identityId);
    const visible = await this.visibleTo(
      caller.identityId,
      rows.map((r) => r.contactId),
    );
    return {
      contacts: rows.map((r) => {
        const v = visible.get(r.contactId);
        return {
          id: contactHandle(this.d.handles, caller.identityId, r.contactId),
          address: r.address,
          displayName: r.displayName,
          since: r.since.toISOString(),
          presence: v?.contact ? v.presence : null,
        };
      }),
    };
  }

  async removeContact(caller: Caller, handle: string): Promise<void> {
    requireFullSession(caller, 'change your contacts');
    const row = (await listContacts(this.d.pool, caller.identityId)).find(
      (r) => contactHandle(this.d.handles, caller.identityId, r.contactId) === handle,
    );
    if (!row) throw new AppError('NOT_FOUND', 'No such contact');
    await this.publisher.reannounceBetween(caller.identityId, row.contactId, () =>
      removeContact(this.d.pool, caller.identityId, row.contactId),
    );
  }

  // ---------- blocks ----------

  async blocks(caller: Caller): Promise<BlocksView> {
    requireFullSession(caller, 'see your blocked addresses');
    return { addresses: await listBlocks(this.d.pool, caller.identityId) };
  }

  async block(caller: Caller, rawAddress: string): Promise<BlocksView> {
    requireFullSession(caller, 'block addresses');
    const address = normaliseAddress(rawAddress);
    if (caller.addresses.includes(address)) throw new AppError('BAD_INPUT', 'You cannot block your own address');
    await this.publisher.reannounce(caller.identityId, () => addBlock(this.d.pool, caller.identityId, address));
    return this.blocks(caller);
  }

  async unblock(caller: Caller, rawAddress: string): Promise<BlocksView> {
    requireFullSession(caller, 'unblock addresses');
    await this.publisher.reannounce(caller.identityId, () => removeBlock(this.d.pool, caller.identityId, normaliseAddress(rawAddress)));
    return this.blocks(caller);
  }

  // ---------- changes from elsewhere ----------

  /** A member joined a chat (accepted it): new contacts, and the members may now see each other there. */
  async chatAccepted(chatId: string, identityId: string): Promise<void> {
    await chatAccepted(this.d.pool, chatId, identityId);
    const res = await this.d.pool.query<{ identity_id: string }>(
      `SELECT identity_id FROM member WHERE chat_id = $1 AND identity_id <> $2`,
      [chatId, identityId],
    );
    await this.publisher.joined(
      identityId,
      res.rows.map((r) => r.identity_id),
    );
  }

  /** Presence (visible or open clients) or do-not-disturb of these identities changed. */
  changed(identityIds: string[]): void {
    this.publisher.changed(identityIds);
  }

  stop(): void {
    this.states.stop();
  }

  /** The chat's members the caller sees there (membership check, the Bcc rule) and may see the presence of there. */
  private async visibleInChat(caller: Caller, chatId: string): Promise<Map<string, { presence: PresenceView }>> {
    const { chats } = this.d;
    const view = await chats.view(caller, chatId);
    const shown = new Set(view.members.map((m) => m.identityId));
    const res = await this.d.pool.query<{ identity_id: string }>(`SELECT identity_id FROM member WHERE chat_id = $1`, [chatId]);
    const subjects = res.rows.map((r) => r.identity_id).filter((id) => shown.has(chats.memberHandle(chatId, id)));
    const visible = await this.visibleTo(caller.identityId, subjects);
    return new Map([...visible].filter(([, v]) => v.chatIds.includes(chatId)));
  }

  /** Presence of each subject the viewer may see, with where they may see it. */
  private async visibleTo(
    viewer: string,
    subjects: string[],
  ): Promise<Map<string, { presence: PresenceView; chatIds: string[]; contact: boolean }>> {
    const pairs = subjects.map((subject) => ({ viewer, subject }));
    const [relations, settings] = await Promise.all([loadRelations(this.d.pool, pairs), loadVisibilitySettings(this.d.pool, subjects)]);
    const where = new Map(subjects.map((s) => [s, presenceSurfaces(settings.get(s)!, relationOf(relations, viewer, s))]));
    const allowed = subjects.filter((s) => where.get(s));
    const presence = await this.states.of(allowed);
    return new Map(allowed.map((s) => [s, { presence: presence.get(s)!, ...where.get(s)! }]));
  }
}

function requireFullSession(caller: Caller, what: string): void {
  if (caller.chatScope) throw new AppError('FORBIDDEN', `Sign in with a code to ${what}`);
}
