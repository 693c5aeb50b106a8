/** The recording plan: which format a sender records in, and who is told they get a link instead. */
import assert from 'node:assert/strict';
import type { ClientCapabilities, VideoFormat } from '../../protocol/index.ts';
import { planRecording } from './capabilities.ts';

const client = (plays: VideoFormat[]): ClientCapabilities & { reportedAt: string } => ({
  kind: 'web',
  camera: true,
  microphone: true,
  plays,
  records: [],
  notifications: true,
  reportedAt: '2026-11-29T06:00:00.000Z',
});

const chat = {
  me: { identityId: 'h-me' },
  members: [
    { identityId: 'h-me', address: 'me@example.com' },
    { identityId: 'h-ann', address: 'ann@example.com' },
    { identityId: 'h-bob', address: 'bob@example.com' },
    { identityId: 'h-cat', address: 'cat@example.com' },
    { identityId: 'h-dan', address: 'dan@example.com' },
  ],
  audience: [
    { address: 'ann@example.com', joined: true },
    { address: 'eve@example.com', joined: false },
  ],
};

describe('recording plan from the members’ capabilities', () => {
  it('records in the format everyone plays, even when it is not the first this browser records', () => {
    const plan = planRecording(['webm-vp8', 'webm-vp9'], chat, {
      members: [
        { identityId: 'h-ann', client: client(['webm-vp9', 'mp4-h264']) },
        { identityId: 'h-bob', client: client(['webm-vp8', 'webm-vp9']) },
      ],
    });
    assert.equal(plan.format, 'webm-vp9');
    assert.deepEqual(plan.linkInstead, []);
  });

  it('when no format suits everyone, takes the one the most play and names the others', () => {
    const plan = planRecording(['webm-vp8', 'mp4-h264'], chat, {
      members: [
        { identityId: 'h-ann', client: client(['mp4-h264']) },
        { identityId: 'h-bob', client: client(['webm-vp8']) },
        { identityId: 'h-cat', client: client(['webm-vp8']) },
      ],
    });
    assert.equal(plan.format, 'webm-vp8');
    assert.deepEqual(plan.linkInstead, ['ann@example.com']);
  });

  it('counts members who never connected and audience addresses not joined as email only; hidden ones only as a number', () => {
    const plan = planRecording(['webm-vp8'], chat, {
      members: [
        { identityId: 'h-ann', client: client(['webm-vp8']) },
        { identityId: 'h-bob', client: null },
      ],
    });
    assert.deepEqual(plan.emailOnly, ['bob@example.com', 'eve@example.com']);
    assert.equal(plan.unknown, 2, 'cat and dan do not let me see their presence');
    assert.deepEqual(plan.linkInstead, []);
  });

  it('with nothing to record in, everyone with a client is told they get a link', () => {
    const plan = planRecording([], chat, { members: [{ identityId: 'h-ann', client: client(['webm-vp8']) }] });
    assert.equal(plan.format, null);
    assert.deepEqual(plan.linkInstead, ['ann@example.com']);
  });
});
