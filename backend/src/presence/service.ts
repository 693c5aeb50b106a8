/**
 * Presence as people may see it: the settings, a chat's member presence and the contact list
 * over REST, and notices pushed to exactly the people the rule (rule.ts) lets see a change.
 * Knows nothing of HTTP or sockets: notices leave through PresenceEvents.
 */
import type pg from 'pg';
import { AppError } from '../errors.ts';
import { normaliseAddress } from '../identity/addresses.ts';
import type { Caller } from '../identity/sessions.ts';
import type { Logger } from '../log.ts';
import type { MemberHandles } from '../chats/handles.ts';
import type { ChatService } from '../chats/chats.ts';
import type { Presence } from '../delivery/presence.ts';
import type {
  BlocksView,
  ChatPresenceView,
  ContactsView,
  PresenceNotice,
  PresenceSettingsView,
  PresenceView,
  PresenceVisibility,
} from '../../../protocol/index.ts';
import { addBlock, listBlocks, removeBlock } from './blocks.ts';
import { chatAccepted, listContacts, removeContact } from './contacts.ts';
import { candidateViewers, loadRelations, loadVisibilitySettings, relationOf, type Pair } from './relations.ts';
import { maySeePresence, presenceState, presenceSurfaces } from './rule.ts';

export interface PresenceEvents {
  /** To every full session of `viewerId`, and a one-chat session only what concerns its chat. */
  presence(viewerId: string, notice: PresenceNotice): void;
}

export interface PresenceDeps {
  pool: pg.Pool;
  presence: Presence;
  handles: MemberHandles;
  chats: () => ChatService;
  events: PresenceEvents;
  log: Logger;
  /** Hidden (no visible client) for this long while connected: away. */
  awayMs: number;
}

export class PresenceService {
  private readonly rechecks = new Map<string, NodeJS.Timeout>();
  /** Last state pushed per subject from this node: a repeated trigger sends nothing new. */
  private readonly published = new Map<string, string>();

  constructor(private readonly d: PresenceDeps) {}

  // ---------- settings ----------

  async settings(caller: Caller): Promise<PresenceSettingsView> {
    return { visibility: (await loadVisibilitySettings(this.d.pool, [caller.identityId])).get(caller.identityId)! };
  }

  async setSettings(caller: Caller, visibility: PresenceVisibility): Promise<PresenceSettingsView> {
    requireFullSession(caller, 'change who sees your presence');
    await this.reannounce(caller.identityId, () =>
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
    const chats = this.d.chats();
    const view = await chats.view(caller, chatId); // membership check and the Bcc rule
    const shown = new Set(view.members.map((m) => m.identityId));
    const res = await this.d.pool.query<{ identity_id: string }>(`SELECT identity_id FROM member WHERE chat_id = $1`, [chatId]);
    const subjects = res.rows.map((r) => r.identity_id).filter((id) => shown.has(chats.memberHandle(chatId, id)));
    const visible = await this.visibleTo(caller.identityId, subjects);
    return {
      chatId,
      members: subjects
        .filter((id) => visible.get(id)?.chatIds.includes(chatId))
        .map((id) => ({ identityId: chats.memberHandle(chatId, id), presence: visible.get(id)!.presence })),
    };
  }

  async contacts(caller: Caller): Promise<ContactsView> {
    requireFullSession(caller, 'see your contacts');
    const rows = await listContacts(this.d.pool, caller.identityId);
    const visible = await this.visibleTo(
      caller.identityId,
      rows.map((r) => r.contactId),
    );
    return {
      contacts: rows.map((r) => ({
        id: this.contactHandle(caller.identityId, r.contactId),
        address: r.address,
        since: r.since.toISOString(),
        presence: visible.get(r.contactId)?.contact ? visible.get(r.contactId)!.presence : null,
      })),
    };
  }

  async removeContact(caller: Caller, contactHandle: string): Promise<void> {
    requireFullSession(caller, 'change your contacts');
    const row = (await listContacts(this.d.pool, caller.identityId)).find(
      (r) => this.contactHandle(caller.identityId, r.contactId) === contactHandle,
    );
    if (!row) throw new AppError('NOT_FOUND', 'No such contact');
    await this.reannounceBetween(caller.identityId, row.contactId, () => removeContact(this.d.pool, caller.identityId, row.contactId));
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
    await this.reannounce(caller.identityId, () => addBlock(this.d.pool, caller.identityId, address));
    return this.blocks(caller);
  }

  async unblock(caller: Caller, rawAddress: string): Promise<BlocksView> {
    requireFullSession(caller, 'unblock addresses');
    await this.reannounce(caller.identityId, () => removeBlock(this.d.pool, caller.identityId, normaliseAddress(rawAddress)));
    return this.blocks(caller);
  }

  // ---------- changes ----------

  /** A member joined a chat (accepted it): new contacts, and they now see each other's presence there. */
  async chatAccepted(chatId: string, identityId: string): Promise<void> {
    await chatAccepted(this.d.pool, chatId, identityId);
    await this.publish([identityId], true);
    const res = await this.d.pool.query<{ identity_id: string }>(
      `SELECT identity_id FROM member WHERE chat_id = $1 AND identity_id <> $2`,
      [chatId, identityId],
    );
    await this.sendDifferences(
      res.rows.map((r) => ({ viewer: identityId, subject: r.identity_id })),
      new Map(),
      true,
    );
  }

  /** Presence (visible or open clients) or do-not-disturb of these identities changed. */
  changed(identityIds: string[]): void {
    this.publish(identityIds, false).catch((err) => this.d.log.warn({ err }, 'presence notices not sent'));
  }

  stop(): void {
    for (const t of this.rechecks.values()) clearTimeout(t);
    this.rechecks.clear();
  }

  /** Pushes each subject's presence to every viewer allowed to see it (`force`: even when unchanged). */
  private async publish(subjects: string[], force: boolean): Promise<void> {
    const presence = await this.presenceOf(subjects);
    for (const subject of subjects) {
      const p = presence.get(subject)!;
      const stamp = `${p.state}|${p.lastSeenAt}`;
      if (!force && this.published.get(subject) === stamp) continue;
      // Offline is where most people end: forgetting them there keeps this map to the people around.
      if (p.state === 'offline') this.published.delete(subject);
      else this.published.set(subject, stamp);
      const viewers = await candidateViewers(this.d.pool, subject);
      const [relations, settings] = await Promise.all([
        loadRelations(
          this.d.pool,
          viewers.map((viewer) => ({ viewer, subject })),
        ),
        loadVisibilitySettings(this.d.pool, [subject]),
      ]);
      const visibility = settings.get(subject)!;
      for (const viewer of viewers) {
        const where = presenceSurfaces(visibility, relationOf(relations, viewer, subject));
        if (where) this.d.events.presence(viewer, this.notice(viewer, subject, p, where));
      }
    }
  }

  /**
   * Runs a change to who may see `subject` (setting, block): afterwards, those newly allowed
   * get the presence and those no longer allowed get a null state, nobody else hears anything.
   */
  private async reannounce(subject: string, change: () => Promise<unknown>): Promise<void> {
    const viewers = await candidateViewers(this.d.pool, subject);
    const before = await this.allowed(viewers.map((viewer) => ({ viewer, subject })));
    await change();
    await this.sendDifferences(
      viewers.map((viewer) => ({ viewer, subject })),
      before,
    );
  }

  /** As reannounce, for a change between two people (a contact removed): both directions. */
  private async reannounceBetween(a: string, b: string, change: () => Promise<unknown>): Promise<void> {
    const pairs = [
      { viewer: a, subject: b },
      { viewer: b, subject: a },
    ];
    const before = await this.allowed(pairs);
    await change();
    await this.sendDifferences(pairs, before, true);
  }

  private async allowed(pairs: Pair[]): Promise<Map<string, { chatIds: string[]; contact: boolean } | null>> {
    const relations = await loadRelations(this.d.pool, pairs);
    const settings = await loadVisibilitySettings(this.d.pool, [...new Set(pairs.map((p) => p.subject))]);
    return new Map(
      pairs.map((p) => [
        `${p.viewer}/${p.subject}`,
        presenceSurfaces(settings.get(p.subject)!, relationOf(relations, p.viewer, p.subject)),
      ]),
    );
  }

  private async sendDifferences(
    pairs: Pair[],
    before: Map<string, { chatIds: string[]; contact: boolean } | null>,
    always = false,
  ): Promise<void> {
    const after = await this.allowed(pairs);
    const presence = await this.presenceOf([...new Set(pairs.map((p) => p.subject))]);
    for (const p of pairs) {
      const k = `${p.viewer}/${p.subject}`;
      const was = before.get(k) ?? null;
      const now = after.get(k) ?? null;
      if (now && (!was || always || was.contact !== now.contact)) {
        this.d.events.presence(p.viewer, this.notice(p.viewer, p.subject, presence.get(p.subject)!, now));
      } else if (!now && was) {
        // No longer allowed: named where they knew the person, with nothing to show.
        this.d.events.presence(p.viewer, {
          ...this.notice(p.viewer, p.subject, presence.get(p.subject)!, was),
          state: null,
          lastSeenAt: null,
        });
      }
    }
  }

  private notice(viewer: string, subject: string, p: PresenceView, where: { chatIds: string[]; contact: boolean }): PresenceNotice {
    return {
      state: p.state,
      lastSeenAt: p.lastSeenAt,
      members: where.chatIds.map((chatId) => ({ chatId, identityId: this.d.handles.of(chatId, subject) })),
      contactId: where.contact ? this.contactHandle(viewer, subject) : null,
    };
  }

  /** Presence of each subject the viewer may see, with where they may see it. */
  private async visibleTo(
    viewer: string,
    subjects: string[],
  ): Promise<Map<string, { presence: PresenceView; chatIds: string[]; contact: boolean }>> {
    const pairs = subjects.map((subject) => ({ viewer, subject }));
    const [relations, settings] = await Promise.all([loadRelations(this.d.pool, pairs), loadVisibilitySettings(this.d.pool, subjects)]);
    const allowed = subjects.filter((s) => maySeePresence(settings.get(s)!, relationOf(relations, viewer, s)));
    const presence = await this.presenceOf(allowed);
    const out = new Map<string, { presence: PresenceView; chatIds: string[]; contact: boolean }>();
    for (const s of allowed) {
      const where = presenceSurfaces(settings.get(s)!, relationOf(relations, viewer, s))!;
      out.set(s, { presence: presence.get(s)!, ...where });
    }
    return out;
  }

  /** The state of each identity now; schedules the push for when "available" turns "away". */
  private async presenceOf(identityIds: string[]): Promise<Map<string, PresenceView>> {
    const [facts, dnd] = await Promise.all([
      this.d.presence.states(identityIds),
      this.d.pool.query<{ identity_id: string }>(`SELECT identity_id FROM availability WHERE dnd AND identity_id = ANY($1::uuid[])`, [
        identityIds,
      ]),
    ]);
    const inDnd = new Set(dnd.rows.map((r) => r.identity_id));
    const now = Date.now();
    const out = new Map<string, PresenceView>();
    for (const id of identityIds) {
      const f = facts.get(id)!;
      const { state, recheckInMs } = presenceState({ ...f, dnd: inDnd.has(id) }, now, this.d.awayMs);
      if (recheckInMs !== null) this.recheck(id, recheckInMs);
      out.set(id, { state, lastSeenAt: f.lastSeenAt?.toISOString() ?? null });
    }
    return out;
  }

  private recheck(identityId: string, inMs: number): void {
    clearTimeout(this.rechecks.get(identityId));
    const t = setTimeout(() => {
      this.rechecks.delete(identityId);
      this.changed([identityId]);
    }, inMs + 50);
    t.unref?.();
    this.rechecks.set(identityId, t);
  }

  /** How my contact list names a contact: keyed per owner, so it matches no chat handle and no other list. */
  private contactHandle(ownerId: string, contactId: string): string {
    return this.d.handles.of(`contacts:${ownerId}`, contactId);
  }
}

function requireFullSession(caller: Caller, what: string): void {
  if (caller.chatScope) throw new AppError('FORBIDDEN', `Sign in with a code to ${what}`);
}
