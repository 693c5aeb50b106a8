import assert from 'node:assert/strict';
import type { PresenceVisibility } from '../../../protocol/index.ts';
import { maySeePresence, presenceState, presenceSurfaces, type Relation } from './rule.ts';

const none: Relation = { self: false, blocked: false, contact: false, chats: [] };
const rel = (r: Partial<Relation>): Relation => ({ ...none, ...r });
const mutual = { chatId: 'c1', viewerSees: true, subjectSees: true };
/** The viewer is a hidden (Bcc) member: they see the subject, the subject does not see them. */
const lurking = { chatId: 'c2', viewerSees: true, subjectSees: false };
/** The subject is a hidden (Bcc) member the viewer (not the owner) cannot see. */
const hiddenSubject = { chatId: 'c3', viewerSees: false, subjectSees: true };

const RELATIONS: Record<string, Relation> = {
  stranger: none,
  'shared chat': rel({ chats: [mutual] }),
  'shared chat, contact removed': rel({ chats: [mutual] }),
  'contact only': rel({ contact: true }),
  'contact and shared chat': rel({ contact: true, chats: [mutual] }),
  'viewer is a hidden member': rel({ chats: [lurking] }),
  'subject is a hidden member': rel({ chats: [hiddenSubject] }),
  'blocked, with shared chat and contact': rel({ blocked: true, contact: true, chats: [mutual] }),
};

/** The expected table: which relationships see presence under each setting. */
const EXPECTED: Record<PresenceVisibility, string[]> = {
  NOBODY: [],
  SHARED_CHATS: ['shared chat', 'shared chat, contact removed', 'contact and shared chat'],
  CONTACTS: ['contact only', 'contact and shared chat'],
  SIGNED_IN: ['shared chat', 'shared chat, contact removed', 'contact only', 'contact and shared chat', 'viewer is a hidden member'],
};

describe('presence rule', () => {
  for (const [setting, allowed] of Object.entries(EXPECTED) as [PresenceVisibility, string[]][]) {
    for (const [name, r] of Object.entries(RELATIONS)) {
      const expected = allowed.includes(name);
      it(`${setting} × ${name}: ${expected ? 'sees' : 'does not see'}`, () => {
        assert.equal(maySeePresence(setting, r), expected);
        assert.equal(presenceSurfaces(setting, r) !== null, expected);
      });
    }
    it(`${setting}: everyone sees their own presence`, () => assert.equal(maySeePresence(setting, rel({ self: true })), true));
  }

  it('shows presence only in chats where the viewer sees the subject, and in the contact list only of a contact', () => {
    const r = rel({ contact: true, chats: [mutual, hiddenSubject, lurking] });
    assert.deepEqual(presenceSurfaces('SIGNED_IN', r), { chatIds: ['c1', 'c2'], contact: true });
    assert.deepEqual(presenceSurfaces('SHARED_CHATS', rel({ chats: [mutual, hiddenSubject] })), { chatIds: ['c1'], contact: false });
  });

  describe('state', () => {
    const now = Date.parse('2026-11-29T10:00:00Z');
    const f = { visible: false, connected: false, lastSeenAt: null, dnd: false };
    it('no client at all is offline, do-not-disturb or not', () => {
      assert.equal(presenceState({ ...f, dnd: true }, now, 60_000).state, 'offline');
    });
    it('a visible client is available; do-not-disturb wins while connected', () => {
      assert.equal(presenceState({ ...f, connected: true, visible: true }, now, 60_000).state, 'available');
      assert.equal(presenceState({ ...f, connected: true, visible: true, dnd: true }, now, 60_000).state, 'dnd');
    });
    it('hidden for less than the away delay stays available and says when to look again; longer is away', () => {
      const lastSeenAt = new Date(now - 20_000);
      assert.deepEqual(presenceState({ ...f, connected: true, lastSeenAt }, now, 60_000), { state: 'available', recheckInMs: 40_000 });
      assert.deepEqual(presenceState({ ...f, connected: true, lastSeenAt }, now, 10_000), { state: 'away', recheckInMs: null });
      assert.equal(presenceState({ ...f, connected: true }, now, 60_000).state, 'away', 'never visible');
    });
  });
});
