/**
 * Account settings on the home page: my display name, do not disturb (and what happens to emails
 * meanwhile), my reading language, and the email addresses this identity signs in with. Full sessions only: a one-chat session
 * from an email link cannot change these.
 */
import { LIMITS } from '../../../protocol/limits.ts';
import type { AvailabilityView, DndMode } from '../../../protocol/index.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';
import { followReader, say as sayMessage, sayAsIs, tx, uiLanguageSettled, type MessageKey, type Values } from '../i18n/index.ts';
import { languageName, READING_LANGUAGES } from '../languages.ts';
import { alertsSettingsCard } from './alerts-settings-view.ts';

/** `onAlertsChanged`: alert settings were saved here, so this page's alerts read them again. */
export function settingsView(api: ApiClient, onAlertsChanged?: () => void): HTMLElement {
  return el(
    'section',
    { id: 'settings', class: 'settings', ...tx({ 'aria-label': 'settings.label' }) },
    availabilityCard(api, onAlertsChanged),
    languageCard(api),
    alertsSettingsCard(api, onAlertsChanged),
    displayNameCard(api),
    addressesCard(api),
  );
}

/** The name chats and emails show instead of my address (the address stays visible on hover). */
function displayNameCard(api: ApiClient): HTMLElement {
  const input = el('input', {
    id: 'display-name',
    type: 'text',
    name: 'displayName',
    autocomplete: 'name',
    maxlength: String(LIMITS.displayNameChars),
    'aria-describedby': 'display-name-help',
  });
  const save = el('button', { type: 'submit', class: 'button button-primary', ...tx('settings.saveName') });
  const done = result();
  const form = el(
    'form',
    { class: 'form' },
    el('label', { for: 'display-name', ...tx('settings.displayName') }),
    input,
    el('p', { id: 'display-name-help', class: 'form-help', ...tx('settings.displayNameHelp') }),
    done,
    save,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    say(done, '');
    try {
      const me = await api.setDisplayName(input.value.trim());
      input.value = me.displayName ?? '';
      if (me.displayName) saved(done, 'settings.nameSaved', { name: me.displayName });
      else saved(done, 'settings.nameSavedAddress');
    } catch (err) {
      failed(done, err);
    } finally {
      save.disabled = false;
    }
  });
  // Editable once the current name is in: typing first would be overwritten by it.
  save.disabled = true;
  input.disabled = true;
  api.me().then(
    (me) => {
      input.value = me.displayName ?? '';
      input.disabled = false;
      save.disabled = false;
    },
    (err: Error) => say(done, err.message, true),
  );
  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'name-title' },
    el('h2', { id: 'name-title', ...tx('settings.nameTitle') }),
    form,
  );
}

function result(): HTMLParagraphElement {
  return el('p', { class: 'form-result', role: 'status', 'aria-live': 'polite' });
}

/** Words that are not ours (a server's error) or none. */
function say(node: HTMLElement, text: string, error = false): void {
  sayAsIs(node, text);
  node.classList.toggle('form-result-error', error);
}

function saved(node: HTMLElement, key: MessageKey, values?: Values): void {
  sayMessage(node, key, values);
  node.classList.remove('form-result-error');
}

/** A server's error as it came; anything else in our words. */
function failed(node: HTMLElement, err: unknown, fallback: MessageKey = 'settings.saveFailed'): void {
  if (err instanceof Error) sayAsIs(node, err.message);
  else sayMessage(node, fallback);
  node.classList.add('form-result-error');
}

function availabilityCard(api: ApiClient, onChanged?: () => void): HTMLElement {
  const dnd = el('input', { id: 'dnd-on', type: 'checkbox', name: 'dnd' });
  const digest = el('input', { id: 'dnd-digest', type: 'radio', name: 'dnd-mode', value: 'DIGEST' });
  const resend = el('input', { id: 'dnd-resend', type: 'radio', name: 'dnd-mode', value: 'RESEND' });
  const minutes = el('input', {
    id: 'dnd-minutes',
    type: 'number',
    name: 'resendMinutes',
    min: '5',
    max: '1440',
    step: '5',
    required: true,
  });
  const save = el('button', { type: 'submit', class: 'button button-primary', ...tx('settings.save') });
  const done = result();
  const since = el('p', { class: 'form-help' });
  const form = el(
    'form',
    { class: 'form' },
    el('div', { class: 'check' }, dnd, el('label', { for: 'dnd-on', ...tx('settings.dnd') })),
    since,
    el(
      'fieldset',
      { class: 'fieldset' },
      el('legend', tx('settings.dndWhile')),
      el('div', { class: 'check' }, digest, el('label', { for: 'dnd-digest', ...tx('settings.dndDigest') })),
      el('div', { class: 'check' }, resend, el('label', { for: 'dnd-resend', ...tx('settings.dndResend') })),
      el('label', { for: 'dnd-minutes', ...tx('settings.dndMinutes') }),
      minutes,
    ),
    done,
    save,
  );
  const show = (a: AvailabilityView) => {
    dnd.checked = a.dnd;
    (a.mode === 'RESEND' ? resend : digest).checked = true;
    minutes.value = String(a.resendMinutes);
    minutes.disabled = a.mode !== 'RESEND';
    if (a.dnd && a.since) sayMessage(since, 'settings.dndSince', { when: Date.parse(a.since) });
    else sayMessage(since, 'settings.dndOff');
  };
  for (const r of [digest, resend]) r.addEventListener('change', () => (minutes.disabled = !resend.checked));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    say(done, '');
    try {
      const mode: DndMode = resend.checked ? 'RESEND' : 'DIGEST';
      const a = await api.setAvailability({ dnd: dnd.checked, mode, resendMinutes: Number(minutes.value) || 60 });
      show(a);
      onChanged?.();
      saved(done, a.dnd ? 'settings.dndSavedOn' : 'settings.dndSavedOff');
    } catch (err) {
      failed(done, err);
    } finally {
      save.disabled = false;
    }
  });
  save.disabled = true;
  api.availability().then(
    (a) => {
      show(a);
      save.disabled = false;
    },
    (err: Error) => say(done, err.message, true),
  );
  return el('section', { class: 'card', 'aria-labelledby': 'dnd-title' }, el('h2', { id: 'dnd-title', ...tx('settings.dnd') }), form);
}

/** My own reading language: what chats are translated into unless I chose another in one chat. */
function languageCard(api: ApiClient): HTMLElement {
  const select = el(
    'select',
    { id: 'my-language', name: 'language', 'aria-describedby': 'my-language-help' },
    el('option', { value: '', ...tx('settings.doNotTranslate') }),
    ...READING_LANGUAGES.map((code) => el('option', { value: code, text: languageName(code) })),
  );
  const save = el('button', { type: 'submit', class: 'button button-primary', ...tx('settings.save') });
  const done = result();
  const form = el(
    'form',
    { class: 'form' },
    el('label', { for: 'my-language', ...tx('tools.showIn') }),
    select,
    el('p', { id: 'my-language-help', class: 'form-help', ...tx('settings.languageHelp') }),
    done,
    save,
  );
  const show = (language: string | null) => {
    if (language && !READING_LANGUAGES.includes(language)) select.append(el('option', { value: language, text: languageName(language) }));
    select.value = language ?? '';
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    say(done, '');
    try {
      const { language } = await api.setMyLanguage(select.value || null);
      // The interface follows at once, without a reload (so the confirmation is in the new language).
      followReader(language);
      // The confirmation names the language in the new interface language: wait until it is shown.
      await uiLanguageSettled();
      show(language);
      say(done, '');
      done.classList.remove('form-result-error');
      if (language) sayMessage(done, 'tools.languageSaved', { language: languageName(language) });
      else sayMessage(done, 'tools.languageAsWritten');
    } catch (err) {
      if (err instanceof Error) say(done, err.message, true);
      else {
        sayMessage(done, 'tools.languageFailed');
        done.classList.add('form-result-error');
      }
    } finally {
      save.disabled = false;
    }
  });
  save.disabled = true;
  api.me().then(
    (me) => {
      show(me.language);
      save.disabled = false;
    },
    (err: Error) => say(done, err.message, true),
  );
  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'language-title' },
    el('h2', { id: 'language-title', ...tx('tools.myLanguage') }),
    form,
  );
}

function addressesCard(api: ApiClient): HTMLElement {
  const list = el('ul', { class: 'address-list', ...tx({ 'aria-label': 'settings.myAddresses' }) });
  const body = el('div', {});
  const showList = (addresses: string[]) => list.replaceChildren(...addresses.map((a) => el('li', { class: 'address', text: a })));

  const addressStep = (message = '') => {
    const input = el('input', {
      id: 'link-address',
      type: 'email',
      name: 'address',
      autocomplete: 'email',
      required: true,
      'aria-describedby': 'link-address-help',
    });
    const button = el('button', { type: 'submit', class: 'button', ...tx('signin.emailCode') });
    const problem = el('p', { class: 'form-error', role: 'alert', hidden: !message, text: message });
    const form = el(
      'form',
      { class: 'form', ...tx({ 'aria-label': 'settings.addAddressForm' }) },
      el('label', { for: 'link-address', ...tx('settings.addAnother') }),
      input,
      el('p', { id: 'link-address-help', class: 'form-help', ...tx('settings.addHelp') }),
      problem,
      button,
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      button.disabled = true;
      problem.hidden = true;
      try {
        const started = await api.startAddressLink(input.value.trim());
        codeStep(started.linkId, started.address);
      } catch (err) {
        if (err instanceof Error) sayAsIs(problem, err.message);
        else sayMessage(problem, 'signin.sendFailed');
        problem.hidden = false;
        button.disabled = false;
        input.focus();
      }
    });
    body.replaceChildren(form);
  };

  const codeStep = (linkId: string, address: string) => {
    const input = el('input', {
      id: 'link-code',
      type: 'text',
      name: 'code',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      pattern: '[0-9]{6}',
      maxlength: '6',
      required: true,
      'aria-describedby': 'link-code-help',
    });
    const button = el('button', { type: 'submit', class: 'button button-primary', ...tx('settings.addAddress') });
    const cancel = el('button', { type: 'button', class: 'button button-quiet', ...tx('common.cancel') });
    cancel.addEventListener('click', () => addressStep());
    const problem = el('p', { class: 'form-error', role: 'alert', hidden: true });
    const form = el(
      'form',
      { class: 'form', ...tx({ 'aria-label': 'settings.enterCode' }) },
      el('label', { for: 'link-code', ...tx('settings.codeSentTo', { address }) }),
      input,
      el('p', { id: 'link-code-help', class: 'form-help', ...tx('settings.codeHelp') }),
      problem,
      el('div', { class: 'form-actions' }, button, cancel),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      button.disabled = true;
      problem.hidden = true;
      try {
        const identity = await api.verifyAddressLink(linkId, input.value.trim());
        showList(identity.addresses);
        addressStep();
        saved(done, 'settings.linked', { address });
      } catch (err) {
        const final =
          err instanceof ApiError && (err.code === 'CODE_EXPIRED' || err.code === 'TOO_MANY_ATTEMPTS' || err.code === 'CONFLICT');
        if (err instanceof Error) sayAsIs(problem, err.message);
        else sayMessage(problem, 'settings.addFailed');
        problem.hidden = false;
        button.disabled = final;
        input.disabled = final;
        (final ? cancel : input).focus();
      }
    });
    body.replaceChildren(form);
    input.focus();
  };

  const done = result();
  api.me().then(
    (me) => showList(me.addresses),
    (err: Error) => say(done, err.message, true),
  );
  addressStep();
  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'addresses-title' },
    el('h2', { id: 'addresses-title', ...tx('settings.addressesTitle') }),
    list,
    done,
    body,
  );
}
