/**
 * The chat's "Options" menu: invite someone by email, email the transcript to the others,
 * my own "email me when I'm away" setting and the language I read this chat in. Only shown when the panel has the REST client.
 */
import type { ChatView } from '../../../protocol/index.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';
import { languageName, READING_LANGUAGES } from '../languages.ts';

export interface ChatToolsOptions {
  api: ApiClient;
  chatId: string;
  /** Where account settings live (do not disturb, addresses), when the surface has such a page. */
  settingsUrl?: string;
  /** The chat view changed because of something done here (e.g. an invitation). */
  onChat: (chat: ChatView) => void;
}

let counter = 0;

/** A server refusal in words a person can act on. */
function problem(err: unknown, fallback: string): string {
  if (!(err instanceof ApiError)) return fallback;
  if (err.code === 'RATE_LIMITED') return `Too many at once: ${err.message}. Try again later.`;
  if (err.code === 'BAD_INPUT') return `That is not an email address we can use (${err.message}).`;
  return err.message;
}

export function createChatTools(opts: ChatToolsOptions): { root: HTMLElement; update(chat: ChatView): void } {
  const { api, chatId } = opts;
  const id = `ic-tools-${++counter}`;
  let chat: ChatView | null = null;

  // ---- invite ----
  const inviteInput = el('input', {
    id: `${id}-invite`,
    type: 'email',
    name: 'invite',
    autocomplete: 'off',
    required: true,
    class: 'ic-input',
    'aria-describedby': `${id}-invite-help`,
  });
  const inviteButton = el('button', { type: 'submit', class: 'ic-button', text: 'Invite' });
  const inviteResult = el('p', { class: 'ic-result', role: 'status', 'aria-live': 'polite' });
  const inviteForm = el(
    'form',
    { class: 'ic-tool', 'aria-label': 'Invite someone' },
    el('label', { for: `${id}-invite`, text: 'Invite by email' }),
    el('div', { class: 'ic-tool-row' }, inviteInput, inviteButton),
    el('p', { id: `${id}-invite-help`, class: 'ic-help', text: 'They get an email with a link that signs them in to this chat once.' }),
    inviteResult,
  );
  inviteForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const address = inviteInput.value.trim();
    if (!address) return;
    inviteButton.disabled = true;
    showResult(inviteResult, '', false);
    try {
      const next = await api.invite(chatId, address);
      inviteInput.value = '';
      showResult(inviteResult, `Invitation sent to ${address}.`, false);
      opts.onChat(next);
    } catch (err) {
      showResult(inviteResult, problem(err, 'Could not send the invitation'), true);
      inviteInput.focus();
    } finally {
      inviteButton.disabled = Boolean(chat?.endedAt);
    }
  });

  // ---- transcript ----
  const transcriptButton = el('button', { type: 'button', class: 'ic-button', text: 'Email the transcript' });
  const confirmText = el('span', { class: 'ic-confirm-text' });
  const confirmYes = el('button', { type: 'button', class: 'ic-button ic-primary', text: 'Send it' });
  const confirmNo = el('button', { type: 'button', class: 'ic-button', text: 'Cancel' });
  const confirmRow = el('div', { class: 'ic-tool-row', hidden: true }, confirmText, confirmYes, confirmNo);
  const transcriptResult = el('p', { class: 'ic-result', role: 'status', 'aria-live': 'polite' });
  const others = () => (chat?.members ?? []).filter((m) => m.identityId !== chat?.me.identityId).map((m) => m.address);
  transcriptButton.addEventListener('click', () => {
    const to = others();
    showResult(transcriptResult, '', false);
    if (to.length === 0) {
      showResult(transcriptResult, 'Nobody else has joined yet, so there is no one to email.', true);
      return;
    }
    confirmText.textContent = `Email the messages so far to ${to.join(', ')}?`;
    confirmRow.hidden = false;
    transcriptButton.hidden = true;
    confirmYes.focus();
  });
  const closeConfirm = () => {
    confirmRow.hidden = true;
    transcriptButton.hidden = false;
  };
  confirmNo.addEventListener('click', () => {
    closeConfirm();
    transcriptButton.focus();
  });
  confirmYes.addEventListener('click', async () => {
    const to = others();
    confirmYes.disabled = true;
    try {
      const r = await api.sendTranscript(chatId);
      const who = r.recipients === to.length ? to.join(', ') : `${r.recipients} ${r.recipients === 1 ? 'person' : 'people'}`;
      showResult(transcriptResult, `Transcript emailed to ${who}. Their replies to it come back into this chat.`, false);
    } catch (err) {
      showResult(transcriptResult, problem(err, 'Could not email the transcript'), true);
    } finally {
      confirmYes.disabled = false;
      closeConfirm();
      transcriptButton.focus();
    }
  });
  const transcriptTool = el(
    'div',
    { class: 'ic-tool' },
    transcriptButton,
    confirmRow,
    el('p', { class: 'ic-help', text: 'Sends everything said so far to the other members, who can answer by replying.' }),
    transcriptResult,
  );

  // ---- my email setting ----
  const notify = el('input', { id: `${id}-notify`, type: 'checkbox', name: 'emailNotify' });
  const notifyResult = el('p', { class: 'ic-result', role: 'status', 'aria-live': 'polite' });
  notify.addEventListener('change', async () => {
    const want = notify.checked;
    notify.disabled = true;
    showResult(notifyResult, '', false);
    try {
      const next = await api.updateMySettings(chatId, { emailNotify: want });
      notify.checked = next.me.emailNotify;
      showResult(notifyResult, want ? 'Saved: you get emails when you are away.' : 'Saved: no emails from this chat.', false);
      opts.onChat(next);
    } catch (err) {
      notify.checked = !want;
      showResult(notifyResult, problem(err, 'Could not save the setting'), true);
    } finally {
      notify.disabled = false;
    }
  });
  const notifyTool = el(
    'div',
    { class: 'ic-tool ic-check' },
    notify,
    el('label', { for: `${id}-notify`, text: "Email me new messages when I'm away" }),
    notifyResult,
  );

  // ---- my reading language in this chat ----
  const language = el('select', { id: `${id}-language`, name: 'language', class: 'ic-input' });
  const languageHelp = el('p', { class: 'ic-help' });
  const languageResult = el('p', { class: 'ic-result', role: 'status', 'aria-live': 'polite' });
  language.addEventListener('change', async () => {
    const want = language.value || null;
    language.disabled = true;
    showResult(languageResult, '', false);
    try {
      const next = await api.updateMySettings(chatId, { language: want });
      const reading = next.me.readingLanguage;
      showResult(
        languageResult,
        reading ? `Saved: messages are shown in ${languageName(reading)}.` : 'Saved: messages are shown as written.',
        false,
      );
      opts.onChat(next);
    } catch (err) {
      showResult(languageResult, problem(err, 'Could not save the language'), true);
    } finally {
      language.disabled = !(chat?.translation.enabled && chat.retention === 'ARCHIVED');
    }
  });
  const languageTool = el(
    'div',
    { class: 'ic-tool' },
    el('label', { for: `${id}-language`, text: 'Show messages in' }),
    language,
    languageHelp,
    languageResult,
  );
  /** The choices, with "my language" first (what the chat follows when I choose none here). */
  function renderLanguages(next: ChatView): void {
    const own = next.me.language === null ? next.me.readingLanguage : null;
    const options = [
      el('option', { value: '', text: own ? `My language (${languageName(own)})` : 'My language' }),
      ...[...new Set([...READING_LANGUAGES, ...(next.me.language ? [next.me.language] : [])])].map((code) =>
        el('option', { value: code, text: languageName(code) }),
      ),
    ];
    language.replaceChildren(...options);
    language.value = next.me.language ?? '';
    // An ephemeral chat keeps its words nowhere else, translations included.
    const translated = next.translation.enabled && next.retention === 'ARCHIVED';
    language.disabled = !translated;
    languageHelp.textContent = !next.translation.enabled
      ? 'Translation is off on this server: messages are shown as written.'
      : translated
        ? 'Messages in another language are translated for you; the original is one click away.'
        : 'This chat keeps no record, so its messages are not translated.';
  }

  const root = el(
    'details',
    { class: 'ic-tools' },
    el('summary', { text: 'Options' }),
    el(
      'div',
      { class: 'ic-tools-body' },
      inviteForm,
      transcriptTool,
      notifyTool,
      languageTool,
      opts.settingsUrl ? el('p', { class: 'ic-tool' }, el('a', { href: opts.settingsUrl, text: 'Do not disturb and my addresses' })) : null,
    ),
  );

  return {
    root,
    update(next) {
      chat = next;
      if (document.activeElement !== notify) notify.checked = next.me.emailNotify;
      if (document.activeElement !== language) renderLanguages(next);
      const ended = Boolean(next.endedAt);
      inviteInput.disabled = ended;
      inviteButton.disabled = ended;
      transcriptButton.disabled = next.retention === 'EPHEMERAL';
      transcriptButton.title = next.retention === 'EPHEMERAL' ? 'This chat keeps no record, so there is no transcript' : '';
    },
  };
}

function showResult(node: HTMLElement, text: string, error: boolean): void {
  node.textContent = text;
  node.classList.toggle('ic-result-error', error);
}
