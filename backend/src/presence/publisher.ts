/**
 * Pushes presence to exactly the people the rule (rule.ts) lets see it: on every change of
 * someone's state, to each allowed viewer; on a change of who may see (a setting, a block, a
 * removed contact), to those who gain sight (the state) and those who lose it (`state: null`),
 * nobody else. Knows nothing of sockets: notices leave through PresenceEvents.
 */
import type pg from 'pg';
import type { Logger } from '../log.ts';
import type { MemberHandles } from '../chats/handles.ts';
import type { CapabilitiesNotice, PresenceNotice, PresenceView, ReportedCapabilities } from '../../../protocol/index.ts';
import { contactHandle } from './contacts.ts';
import { candidateViewers, loadRelations, loadVisibilitySettings, relationOf, type Pair } from './relations.ts';
import { presenceSurfaces } from './rule.ts';
import type { PresenceStates } from './states.ts';

export interface PresenceEvents {
  /** To every full session of `viewerId`, and a one-chat session only what concerns its chat. */
  presence(viewerId: string, notice: PresenceNotice): void;
  /** The same reach as presence: a client's kind and devices tell as much about someone. */
  capabilities(viewerId: string, notice: CapabilitiesNotice): void;
}

type Surfaces = { chatIds: string[]; contact: boolean } | null;

export class PresencePublisher {
  /** Last state pushed per subject from this node: a repeated trigger sends nothing new. */
  private readonly published = new Map<string, string>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly handles: MemberHandles,
    private readonly events: PresenceEvents,
    private readonly states: () => PresenceStates,
    private readonly log: Logger,
  ) {}

  /** These people's state may have changed (clients came or went, do-not-disturb, the away delay passed). */
  changed(identityIds: string[]): void {
    this.publish(identityIds, false).catch((err) => this.log.warn({ err }, 'presence notices not sent'));
  }

  /** `identityId` joined a chat: the members there may now see each other. */
  async joined(identityId: string, otherMembers: string[]): Promise<void> {
    await this.publish([identityId], true);
    await this.sendDifferences(
      otherMembers.map((subject) => ({ viewer: identityId, subject })),
      new Map(),
      true,
    );
  }

  /** Runs a change to who may see `subject` (their setting, their blocks). */
  async reannounce(subject: string, change: () => Promise<unknown>): Promise<void> {
    const pairs = (await candidateViewers(this.pool, subject)).map((viewer) => ({ viewer, subject }));
    const before = await this.allowed(pairs);
    await change();
    await this.sendDifferences(pairs, before);
  }

  /** As reannounce, for a change between two people (a contact removed): both directions, always told. */
  async reannounceBetween(a: string, b: string, change: () => Promise<unknown>): Promise<void> {
    const pairs = [
      { viewer: a, subject: b },
      { viewer: b, subject: a },
    ];
    const before = await this.allowed(pairs);
    await change();
    await this.sendDifferences(pairs, before, true);
  }

  /**
   * `subject`'s client report changed: to each viewer the rule lets see them, named in the chats
   * where they see them (capabilities belong to chats: a contact-only viewer hears nothing).
   */
  async capabilitiesChanged(subject: string, client: ReportedCapabilities): Promise<void> {
    const pairs = (await candidateViewers(this.pool, subject)).map((viewer) => ({ viewer, subject }));
    for (const [pair, where] of await this.allowedPairs(pairs)) {
      if (!where || where.chatIds.length === 0) continue;
      this.events.capabilities(pair.viewer, {
        members: where.chatIds.map((chatId) => ({ chatId, identityId: this.handles.of(chatId, subject) })),
        client,
      });
    }
  }

  /** Pushes each subject's presence to every viewer allowed to see it (`force`: even when unchanged). */
  private async publish(subjects: string[], force: boolean): Promise<void> {
    const presence = await this.states().of(subjects);
    for (const subject of subjects) {
      const p = presence.get(subject)!;
      const stamp = `${p.state}|${p.lastSeenAt}`;
      if (!force && this.published.get(subject) === stamp) continue;
      // Offline is where most people end: forgetting them there keeps this map to the people around.
      if (p.state === 'offline') this.published.delete(subject);
      else this.published.set(subject, stamp);
      const pairs = (await candidateViewers(this.pool, subject)).map((viewer) => ({ viewer, subject }));
      for (const [pair, where] of await this.allowedPairs(pairs)) {
        if (where) this.events.presence(pair.viewer, this.notice(pair, p, where));
      }
    }
  }

  private async sendDifferences(pairs: Pair[], before: Map<string, Surfaces>, always = false): Promise<void> {
    const after = await this.allowed(pairs);
    const presence = await this.states().of([...new Set(pairs.map((p) => p.subject))]);
    for (const pair of pairs) {
      const k = `${pair.viewer}/${pair.subject}`;
      const was = before.get(k) ?? null;
      const now = after.get(k) ?? null;
      const p = presence.get(pair.subject)!;
      if (now && (!was || always || was.contact !== now.contact)) {
        this.events.presence(pair.viewer, this.notice(pair, p, now));
      } else if (!now && was) {
        // No longer allowed: named where they knew the person, with nothing to show.
        this.events.presence(pair.viewer, { ...this.notice(pair, p, was), state: null, lastSeenAt: null });
      }
    }
  }

  private async allowed(pairs: Pair[]): Promise<Map<string, Surfaces>> {
    return new Map([...(await this.allowedPairs(pairs))].map(([p, where]) => [`${p.viewer}/${p.subject}`, where]));
  }

  private async allowedPairs(pairs: Pair[]): Promise<[Pair, Surfaces][]> {
    const [relations, settings] = await Promise.all([
      loadRelations(this.pool, pairs),
      loadVisibilitySettings(this.pool, [...new Set(pairs.map((p) => p.subject))]),
    ]);
    return pairs.map((p) => [p, presenceSurfaces(settings.get(p.subject)!, relationOf(relations, p.viewer, p.subject))]);
  }

  private notice(pair: Pair, p: PresenceView, where: { chatIds: string[]; contact: boolean }): PresenceNotice {
    return {
      state: p.state,
      lastSeenAt: p.lastSeenAt,
      members: where.chatIds.map((chatId) => ({ chatId, identityId: this.handles.of(chatId, pair.subject) })),
      contactId: where.contact ? contactHandle(this.handles, pair.viewer, pair.subject) : null,
    };
  }
}
