/**
 * Who may see whose presence, and what it is: pure functions, so every combination is tested
 * without a server (rule.test.ts) and REST, the socket and the panel all ask the same question.
 * The relationship facts come from relations.ts; the Bcc rule itself (who sees whom in a chat)
 * stays in chats/membership.ts and arrives here already applied, as viewerSees / subjectSees.
 */
import type { PresenceState, PresenceVisibility } from '../../../protocol/index.ts';

export const DEFAULT_VISIBILITY: PresenceVisibility = 'SHARED_CHATS';

/** What connects a viewer to the person whose presence it is (the subject). */
export interface Relation {
  self: boolean;
  /** The subject blocked one of the viewer's addresses. */
  blocked: boolean;
  /** They are contacts (accepted a chat together and nobody removed it since). */
  contact: boolean;
  /**
   * Chats both have accepted (are members of, not merely in the audience): whether the viewer sees
   * the subject there and the subject sees the viewer (a Bcc member is seen only by the owner).
   */
  chats: { chatId: string; viewerSees: boolean; subjectSees: boolean }[];
}

/**
 * The one presence rule. A shared chat counts only when each sees the other in it: a chat someone
 * was put in by email counts once they accepted it, and a hidden (Bcc) member neither shows nor
 * watches presence through it, except between them and the owner. SIGNED_IN still needs a place
 * where the viewer already sees the subject: a member list or the contact list.
 */
export function maySeePresence(visibility: PresenceVisibility, r: Relation): boolean {
  if (r.self) return true;
  if (r.blocked) return false;
  switch (visibility) {
    case 'NOBODY':
      return false;
    case 'SHARED_CHATS':
      return r.chats.some((c) => c.viewerSees && c.subjectSees);
    case 'CONTACTS':
      return r.contact;
    case 'SIGNED_IN':
      return r.contact || r.chats.some((c) => c.viewerSees);
  }
}

/** Where the viewer is shown the subject's presence: member lists where they see them, and their contact list. */
export function presenceSurfaces(visibility: PresenceVisibility, r: Relation): { chatIds: string[]; contact: boolean } | null {
  if (!maySeePresence(visibility, r)) return null;
  return { chatIds: r.chats.filter((c) => c.viewerSees).map((c) => c.chatId), contact: r.contact && !r.self };
}

export interface PresenceFacts {
  /** A visible client (page shown, pane open) on any node. */
  visible: boolean;
  /** Any open client on any node. */
  connected: boolean;
  /** When the last visible client went; null when visible now or never. */
  lastSeenAt: Date | null;
  dnd: boolean;
}

/**
 * available: a visible client, or hidden for less than awayMs (switching tabs is not leaving);
 * away: connected with nothing visible for longer; dnd: connected with do-not-disturb on;
 * offline: no client at all. `recheckInMs`: when "available" turns "away" unless something changes.
 */
export function presenceState(f: PresenceFacts, now: number, awayMs: number): { state: PresenceState; recheckInMs: number | null } {
  if (!f.connected) return { state: 'offline', recheckInMs: null };
  if (f.dnd) return { state: 'dnd', recheckInMs: null };
  if (f.visible) return { state: 'available', recheckInMs: null };
  const hiddenFor = f.lastSeenAt ? now - f.lastSeenAt.getTime() : Infinity;
  if (hiddenFor < awayMs) return { state: 'available', recheckInMs: awayMs - hiddenFor };
  return { state: 'away', recheckInMs: null };
}
