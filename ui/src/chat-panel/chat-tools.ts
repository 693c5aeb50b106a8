/**
 * The chat's "Options" menu: invite someone by email, email the transcript to the others,
 * my own "email me when I'm away" setting and the language I read this chat in. Only shown when the panel has the REST client.
 */
import type { ChatView } from '../../../protocol/index.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';
import { say, sayAsIs, t, tx, uiLanguage, type MessageKey, type Values } from '../i18n/index.ts';
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
function problem(err: unknown, fallback: MessageKey): Result {
  if (!(err instanceof ApiError)) return [fallback];
  if (err.code === 'RATE_LIMITED') return ['tools.rateLimited', { reason: err.message }];
  if (err.code === 'BAD_INPUT') return ['tools.badAddress', { reason: err.message }];
  return err.message;
}

/** Names in a list, joined the way the UI language does ("a, b and c"). */
function listOf(names: string[]): string {
  return new Intl.ListFormat(uiLanguage(), { type: 'conjunction' }).format(names);
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
  const inviteButton = el('button', { type: 'submit', class: 'ic-button', ...tx('tools.invite') });
  const inviteResult = el('p', { class: 'ic-result', role: 'status', 'aria-live': 'polite' });
  const inviteForm = el(
    'form',
    { class: 'ic-tool', ...tx({ 'aria-label': 'tools.inviteLabel' }) },
    el('label', { for: `${id}-invite`, ...tx('tools.inviteField') }),
    el('div', { class: 'ic-tool-row' }, inviteInput, inviteButton),
    el('p', { id: `${id}-invite-help`, class: 'ic-help', ...tx('tools.inviteHelp') }),
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
      showResult(inviteResult, ['tools.invited', { address }], false);
      opts.onChat(next);
    } catch (err) {
      showResult(inviteResult, problem(err, 'tools.inviteFailed'), true);
      inviteInput.focus();
    } finally {
      inviteButton.disabled = Boolean(chat?.endedAt);
    }
  });

  // ---- transcript ----
  const transcriptButton = el('button', { type: 'button', class: 'ic-button', ...tx('tools.transcript') });
  const confirmText = el('span', { class: 'ic-confirm-text' });
  const confirmYes = el('button', { type: 'button', class: 'ic-button ic-primary', ...tx('tools.sendIt') });
  const confirmNo = el('button', { type: 'button', class: 'ic-button', ...tx('common.cancel') });
  const confirmRow = el('div', { class: 'ic-tool-row', hidden: true }, confirmText, confirmYes, confirmNo);
  const transcriptResult = el('p', { class: 'ic-result', role: 'status', 'aria-live': 'polite' });
  const others = () => (chat?.members ?? []).filter((m) => m.identityId !== chat?.me.identityId).map((m) => m.address);
  transcriptButton.addEventListener('click', () => {
    const to = others();
    showResult(transcriptResult, '', false);
    if (to.length === 0) {
      showResult(transcriptResult, ['tools.transcriptNobody'], true);
      return;
    }
    say(confirmText, 'tools.transcriptConfirm', { people: listOf(to) });
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
      const who = r.recipients === to.length ? listOf(to) : t('tools.recipients', { count: r.recipients });
      showResult(transcriptResult, ['tools.transcriptSent', { people: who }], false);
    } catch (err) {
      showResult(transcriptResult, problem(err, 'tools.transcriptFailed'), true);
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
    el('p', { class: 'ic-help', ...tx('tools.transcriptHelp') }),
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
      showResult(notifyResult, [want ? 'tools.notifyOn' : 'tools.notifyOff'], false);
      opts.onChat(next);
    } catch (err) {
      notify.checked = !want;
      showResult(notifyResult, problem(err, 'tools.saveFailed'), true);
    } finally {
      notify.disabled = false;
    }
  });
  const notifyTool = el(
    'div',
    { class: 'ic-tool ic-check' },
    notify,
    el('label', { for: `${id}-notify`, ...tx('tools.notifyLabel') }),
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
        reading ? ['tools.languageSaved', { language: languageName(reading) }] : ['tools.languageAsWritten'],
        false,
      );
      opts.onChat(next);
    } catch (err) {
      showResult(languageResult, problem(err, 'tools.languageFailed'), true);
    } finally {
      language.disabled = !(chat?.translation.enabled && chat.retention === 'ARCHIVED');
    }
  });
  const languageTool = el(
    'div',
    { class: 'ic-tool' },
    el('label', { for: `${id}-language`, ...tx('tools.showIn') }),
    language,
    languageHelp,
    languageResult,
  );
  /** The choices, with "my language" first (what the chat follows when I choose none here). */
  function renderLanguages(next: ChatView): void {
    const own = next.me.language === null ? next.me.readingLanguage : null;
    const options = [
      el('option', { value: '', ...(own ? tx('tools.myLanguageNamed', { language: languageName(own) }) : tx('tools.myLanguage')) }),
      ...[...new Set([...READING_LANGUAGES, ...(next.me.language ? [next.me.language] : [])])].map((code) =>
        el('option', { value: code, text: languageName(code) }),
      ),
    ];
    language.replaceChildren(...options);
    language.value = next.me.language ?? '';
    // An ephemeral chat keeps its words nowhere else, translations included.
    const translated = next.translation.enabled && next.retention === 'ARCHIVED';
    language.disabled = !translated;
    say(
      languageHelp,
      !next.translation.enabled ? 'tools.translationOff' : translated ? 'tools.translationOn' : 'tools.translationEphemeral',
    );
  }

  const root = el(
    'details',
    { class: 'ic-tools' },
    el('summary', tx('tools.options')),
    el(
      'div',
      { class: 'ic-tools-body' },
      inviteForm,
      transcriptTool,
      notifyTool,
      languageTool,
      opts.settingsUrl ? el('p', { class: 'ic-tool' }, el('a', { href: opts.settingsUrl, ...tx('tools.settingsLink') })) : null,
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
      if (next.retention === 'EPHEMERAL') say(transcriptButton, 'tools.transcriptEphemeral', undefined, 'title');
      else sayAsIs(transcriptButton, '', 'title');
    },
  };
}

/** The server's own words, or one of ours with its values. */
type Result = string | [MessageKey, Values?];

function showResult(node: HTMLElement, result: Result, error: boolean): void {
  if (typeof result === 'string') sayAsIs(node, result);
  else say(node, result[0], result[1]);
  node.classList.toggle('ic-result-error', error);
}
