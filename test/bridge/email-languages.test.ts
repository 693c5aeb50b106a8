import assert from 'node:assert/strict';
import {
  api,
  connectSocket,
  isSignInCodeSubject,
  lastMailId,
  request,
  signInAll,
  startTestServer,
  type TestServer,
} from '../support/server.ts';

/**
 * Every email is written in its recipient's language, not the sender's (issue 16): through the
 * real server, its job queue and a real SMTP exchange into the embedded catcher; no provider
 * translates messages here, so only our own words change language and what people wrote stays
 * as written.
 */
describe("emails in the recipient's language", function () {
  this.timeout(60_000);
  let server: TestServer;
  let ann: { token: string }, bea: { token: string }, ali: { token: string };
  let chatId: string;
  const ANN = 'ann@example.com';
  const BEA = 'bea@example.es';
  const ALI = 'ali@example.ae';

  before(async () => {
    server = await startTestServer({
      // Offline members are emailed after a realistic, scaled-down wait (production: 120 s window, 60 s away).
      EMAIL_BATCH_WINDOW_MS: '300',
      EMAIL_OFFLINE_DELAY_MS: '1500',
      PRESENCE_HEARTBEAT_MS: '300',
      JOBS_POLL_MS: '50',
    });
    [ann, bea, ali] = await signInAll(server, [ANN, BEA, ALI] as const);
    // Each picks their language in Settings (PUT /me/language), as a person does.
    for (const [who, language] of [
      [ann, 'en'],
      [bea, 'es'],
      [ali, 'ar'],
    ] as const) {
      assert.equal((await api(server, 'PUT', '/api/me/language', { language }, who.token)).status, 200);
    }
    const created = await api(server, 'POST', '/api/chats', { subject: 'Supplier', audience: { to: [BEA, ALI] } }, ann.token);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    chatId = created.body.id;
    // Bea and Ali open the chat once, then go away: from now on they read by email.
    for (const who of [bea, ali]) {
      const socket = await connectSocket(server.url, who.token);
      assert.equal((await request(socket, 'chat:join', { chatId, lastSeq: 0 })).ok, true);
      socket.close();
    }
  });

  after(async () => {
    await server?.close();
  });

  it("an English member's message reaches the Spanish reader in a Spanish email and the Arabic one right to left", async () => {
    const before = lastMailId(server);
    const body = 'The delivery arrives on Friday.';
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'ann-1', body }, ann.token)).status, 201);

    const toBea = await server.catcher!.waitFor((m) => m.id > before && m.to.includes(BEA) && m.text.includes(body), 30_000);
    assert.equal(toBea.subject, 'Re: Supplier');
    assert.ok(toBea.text.startsWith(`1 mensaje nuevo de ${ANN} en el chat «Supplier».`), toBea.text);
    assert.match(toBea.text, /Responde a este correo para contestar en el chat/);
    assert.match(toBea.html ?? '', /<html lang="es" dir="ltr">/);
    assert.match(toBea.html ?? '', /Chat en directo sobre Supplier/, 'the chat panel speaks Spanish too');
    assert.doesNotMatch(toBea.text, /Reply to this email|new message/, 'no English words of ours');
    assert.match(toBea.text, new RegExp(body.replace('.', '\\.')), "Ann's words as she wrote them");

    const toAli = await server.catcher!.waitFor((m) => m.id > before && m.to.includes(ALI) && m.text.includes(body), 30_000);
    assert.ok(toAli.text.startsWith(`رسالة جديدة واحدة من ${ANN} في المحادثة «Supplier».`), toAli.text);
    assert.match(toAli.html ?? '', /<html lang="ar" dir="rtl">/);
    assert.match(toAli.html ?? '', /<div lang="ar" dir="rtl"/, 'the outer block webmail keeps is right to left as well');
    assert.match(toAli.html ?? '', /dir="auto">The delivery arrives on Friday\./, 'the English message keeps its own direction');
  });

  it("the Spanish member's answer reaches the English author in English", async () => {
    const before = lastMailId(server);
    const body = 'Perfecto, gracias.';
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'bea-1', body }, bea.token)).status, 201);
    const toAnn = await server.catcher!.waitFor((m) => m.id > before && m.to.includes(ANN) && m.text.includes(body), 30_000);
    assert.ok(toAnn.text.startsWith(`1 new message from ${BEA} in the chat “Supplier”.`), toAnn.text);
    assert.match(toAnn.html ?? '', /<html lang="en" dir="ltr">/);
    assert.doesNotMatch(toAnn.text, /mensaje|Responde/, "not in the sender's language");
  });

  it("a sign-in code is written in the person's language, else in the language the asking page sent", async () => {
    const ask = async (address: string, acceptLanguage: string) => {
      const before = lastMailId(server);
      const res = await fetch(`${server.url}/api/auth/start`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-language': acceptLanguage },
        body: JSON.stringify({ address }),
      });
      assert.equal(res.status, 202);
      return server.catcher!.waitFor((m) => m.id > before && m.to.includes(address) && isSignInCodeSubject(m.subject));
    };
    // Nobody owns this address yet: the browser's languages decide (Swiss French, by quality).
    const stranger = await ask('zoe@example.ch', 'de;q=0.5, fr-CH, fr;q=0.9');
    assert.match(stranger.subject, /^\d{6} est votre code Inbox Chat$/);
    assert.match(stranger.html ?? '', /<html lang="fr" dir="ltr">/);
    // Bea chose Spanish: that wins over whatever the device she asks from sends.
    const known = await ask(BEA, 'fr-FR, fr');
    assert.match(known.subject, /^\d{6} es tu código de Inbox Chat$/);
    // A language we do not write: English.
    const other = await ask('joao@example.pt', 'pt-BR');
    assert.match(other.subject, /^\d{6} is your Inbox Chat code$/);
  });

  it('an invitation to an address whose owner reads Arabic is in Arabic', async () => {
    const other = await api(server, 'POST', '/api/chats', { subject: 'Second', audience: { to: [] } }, bea.token);
    const before = lastMailId(server);
    assert.equal((await api(server, 'POST', `/api/chats/${other.body.id}/invitations`, { address: ALI }, bea.token)).status, 201);
    const invitation = await server.catcher!.waitFor((m) => m.id > before && m.to.includes(ALI), 15_000);
    assert.equal(invitation.subject, 'دعوة: Second');
    assert.match(invitation.html ?? '', /<html lang="ar" dir="rtl">/);
  });
});
