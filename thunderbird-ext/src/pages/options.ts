/**
 * Options: which chat server to use, proving your address once (emailed code), and the local
 * folder transcripts are filed into.
 */
import { el } from '../../../ui/src/dom.ts';
import { say, setTitle, t, tx } from '../../../ui/src/i18n/index.ts';
import { signInView } from '../../../ui/src/chat-page/sign-in-view.ts';
import type { FolderChoice } from '../shared/commands.ts';
import { loadSettings, normaliseBackendUrl, saveBackendUrl, saveSession, saveTranscriptFolder, sessionFrom } from '../shared/settings.ts';
import { connect, messenger, send, type Connection } from './common.ts';

const app = document.getElementById('app')!;
let conn: Connection | null = null;
/** Renders can overlap (a save and the background's session notice): the newest one wins. */
let renders = 0;

async function render(): Promise<void> {
  const mine = ++renders;
  const c = await connect();
  const settings = await loadSettings(messenger);
  const folders = await folderSection(settings.transcriptFolderId);
  if (mine !== renders) {
    c.transport.close();
    return;
  }
  conn?.transport.close();
  conn = c;
  // Sign-in, sign-out and a new server reach the background through storage; it reconnects and
  // tells every view, and this page shows the new state.
  // (Only a change re-renders: the notice of a change this page already shows would otherwise
  // wipe a sign-in in progress.)
  c.transport.onSession((s) => {
    if (s.address !== c.hello.address || s.backendUrl !== c.hello.backendUrl) void render();
  });
  setTitle('thunderbird.optionsTitle');
  app.replaceChildren(el('h1', tx('thunderbird.optionsTitle')), serverSection(settings.backendUrl, c), accountSection(c), folders);
}

/**
 * Makes the background use the saved settings, then shows them. The background also tells every
 * view (this one included) through the relay; a second render is harmless.
 */
async function settingsSaved(): Promise<void> {
  await send({ type: 'inbox-chat:settings-saved' }).catch(() => undefined);
  await render();
}

function serverSection(current: string, c: Connection): HTMLElement {
  const input = el('input', { id: 'backend-url', type: 'url', required: true, value: current, autocomplete: 'url' });
  const result = el('p', { class: 'ext-result', role: 'status' });
  const form = el(
    'form',
    { class: 'form', ...tx({ 'aria-label': 'thunderbird.serverForm' }) },
    el('label', { for: 'backend-url', ...tx('thunderbird.serverAddress') }),
    input,
    el('p', { class: 'form-help', ...tx('thunderbird.serverHelp') }),
    el('div', { class: 'form-actions' }, el('button', { type: 'submit', class: 'button button-primary', ...tx('thunderbird.saveServer') })),
    result,
  );
  const using = el(
    'p',
    { class: 'ext-note' },
    el('span', tx('thunderbird.serverInUse')),
    ' ',
    el('strong', { id: 'server-current', text: c.hello.backendUrl }),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const url = normaliseBackendUrl(input.value);
    if (!url) {
      say(result, 'thunderbird.badServer');
      return;
    }
    say(result, 'thunderbird.serverSaved', { url });
    await saveBackendUrl(messenger, url);
    await settingsSaved();
  });
  return el('section', { class: 'card', id: 'server' }, el('h2', tx('thunderbird.server')), using, form);
}

function accountSection(c: Connection): HTMLElement {
  const section = el('section', { class: 'card', id: 'account' }, el('h2', tx('thunderbird.yourAddress')));
  if (c.hello.address) {
    const out = el('button', { type: 'button', class: 'button', ...tx('page.signOut') });
    out.addEventListener('click', async () => {
      await c.api.signOut().catch(() => undefined);
      await saveSession(messenger, null);
      await settingsSaved();
    });
    section.append(el('p', { id: 'signed-in-as', ...tx('thunderbird.signedInAs', { address: c.hello.address }) }), out);
    return section;
  }
  section.append(
    signInView({
      api: c.api,
      // The name of this sign-in in the user's session list (next to browsers and Outlook).
      sessionLabel: t('thunderbird.sessionLabel'),
      onSignedIn: async (session) => {
        await saveSession(messenger, sessionFrom(session));
        await settingsSaved();
      },
    }),
  );
  return section;
}

async function folderSection(current: string | null): Promise<HTMLElement> {
  const folders = await send<FolderChoice[]>({ type: 'inbox-chat:list-folders' }).catch(() => []);
  const select = el('select', { id: 'transcript-folder' }, el('option', { value: '', ...tx('thunderbird.chooseFolder') }));
  for (const f of folders) select.append(el('option', { value: f.id, text: f.label, selected: f.id === current }));
  const result = el('p', { class: 'ext-result', role: 'status' });
  select.addEventListener('change', async () => {
    await saveTranscriptFolder(messenger, select.value || null);
    say(result, select.value ? 'thunderbird.folderChosen' : 'thunderbird.noFolder');
  });
  return el(
    'section',
    { class: 'card', id: 'transcripts' },
    el('h2', tx('thunderbird.transcripts')),
    el('label', { for: 'transcript-folder', ...tx('thunderbird.folderHelp') }),
    select,
    result,
  );
}

void render();
