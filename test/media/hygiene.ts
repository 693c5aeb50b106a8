import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MEDIA_SWEEP_QUEUE } from '../../backend/src/media/media-objects.ts';
import { sql } from '../bridge/support.ts';
import { api, signInAll, type TestServer } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';
import { tusUpload } from './support.ts';

/** The settings the store-hygiene scenario needs: a grace of ~2 s (so the sweep runs every ~2 s) and messages of ephemeral chats that expire after 15 s. */
export const HYGIENE_ENV = { MEDIA_UNPOSTED_GRACE_HOURS: String(2 / 3600), EPHEMERAL_TTL_MINUTES: '0.25' };

/**
 * Store hygiene on a running server, whatever its back end (`stored` asks the store itself):
 * objects no live message shows leave the store after the grace; an object still shown by any
 * live message stays, even when another chat's unposted upload of the same bytes is swept.
 */
export async function sweepScenario(server: TestServer, stored: (mediaId: string) => Promise<boolean>, tag: string): Promise<void> {
  const [owner, member] = await signInAll(server, [`owner-${tag}@hygiene.test`, `member-${tag}@hygiene.test`]);
  const newChat = async (subject: string, retention: 'ARCHIVED' | 'EPHEMERAL' = 'ARCHIVED') => {
    const res = await api(
      server,
      'POST',
      '/api/chats',
      { subject, retention, audience: { to: [`member-${tag}@hygiene.test`] } },
      owner.token,
    );
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((await api(server, 'POST', `/api/chats/${res.body.id}/open`, {}, member.token)).status, 200);
    return res.body.id as string;
  };
  const archived = await newChat('kept files');
  const other = await newChat('same bytes, never posted');
  const ephemeral = await newChat('off the record', 'EPHEMERAL');
  const upload = (chatId: string, bytes: Buffer, name: string, type: string) =>
    tusUpload(server.url, owner.token, chatId, bytes, { name, type });
  const post = async (chatId: string, body: { clientId: string; uploadId: string; previewUploadId?: string }) => {
    const res = await api(server, 'POST', `/api/chats/${chatId}/attachments`, body, owner.token);
    assert.equal(res.status, 201, JSON.stringify(res.body));
  };
  const sweepsDone = async () =>
    (
      await sql<{ n: number }>(server, `SELECT count(*)::int AS n FROM job WHERE queue = $1 AND done_at IS NOT NULL`, [MEDIA_SWEEP_QUEUE])
    )[0]!.n;

  // Posted with its preview in an archived chat: shown, kept.
  const video = await upload(archived, randomBytes(30_000), 'clip.webm', 'video/webm');
  const poster = await upload(archived, randomBytes(2_000), 'poster.jpg', 'image/jpeg');
  await post(archived, { clientId: `${tag}-video`, uploadId: video.uploadId, previewUploadId: poster.uploadId });
  // The same bytes posted here and uploaded (never posted) in another chat: that chat lets go, the store keeps it.
  const sharedBytes = randomBytes(20_000);
  const shared = await upload(archived, sharedBytes, 'shared.bin', 'application/octet-stream');
  await post(archived, { clientId: `${tag}-shared`, uploadId: shared.uploadId });
  const sharedElsewhere = await upload(other, sharedBytes, 'shared.bin', 'application/octet-stream');
  assert.equal(sharedElsewhere.mediaId, shared.mediaId, 'one object');
  // Finished but never posted: removed after the grace.
  const unposted = await upload(archived, randomBytes(25_000), 'draft.bin', 'application/octet-stream');
  // Posted in an ephemeral chat: removed once its message expires.
  const fleeting = await upload(ephemeral, randomBytes(15_000), 'fleeting.png', 'image/png');
  await post(ephemeral, { clientId: `${tag}-fleeting`, uploadId: fleeting.uploadId });
  for (const id of [video.mediaId, poster.mediaId, shared.mediaId, unposted.mediaId, fleeting.mediaId])
    assert.ok(await stored(id), 'stored at first');

  await waitUntil('the never-posted upload is removed from the store', async () => !(await stored(unposted.mediaId)), 20_000, 200);
  // A whole sweep after the grace of everything above, while the ephemeral message is still live.
  const first = await sweepsDone();
  await waitUntil('another sweep ran', async () => (await sweepsDone()) >= first + 2, 20_000, 200);
  assert.ok(await stored(fleeting.mediaId), 'the ephemeral message has not expired yet, so its file stays');
  const linkIn = (chatId: string, mediaId: string) =>
    api(server, 'GET', `/api/chats/${chatId}/media/${mediaId}/link`, undefined, member.token);
  assert.equal((await linkIn(other, shared.mediaId)).status, 404, 'the chat that never posted it let it go');
  const late = await api(
    server,
    'POST',
    `/api/chats/${archived}/attachments`,
    { clientId: `${tag}-late`, uploadId: unposted.uploadId },
    owner.token,
  );
  assert.equal(late.status, 404, 'a swept upload cannot be posted any more');

  await waitUntil('the expired ephemeral message releases its file', async () => !(await stored(fleeting.mediaId)), 40_000, 200);
  // One more whole sweep after both, so "kept" is not just "not reached yet".
  const runs = await sweepsDone();
  await waitUntil('another sweep ran', async () => (await sweepsDone()) >= runs + 2, 20_000, 200);
  for (const id of [video.mediaId, poster.mediaId, shared.mediaId]) assert.ok(await stored(id), `a live message shows ${id}: kept`);
  const link = await linkIn(archived, shared.mediaId);
  assert.equal(link.status, 200);
  const bytes = Buffer.from(await (await fetch(`${server.url}${link.body.url}`)).arrayBuffer());
  assert.deepEqual(bytes, sharedBytes, 'and still served, byte for byte');
}
