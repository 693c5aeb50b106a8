/**
 * Account settings on the home page: my display name, do not disturb (and what happens to emails
 * meanwhile), my reading language, and the email addresses this identity signs in with. Full sessions only: a one-chat session
 * from an email link cannot change these.
 */
import { LIMITS } from '../../../protocol/limits.ts';
import type { AvailabilityView, DndMode } from '../../../protocol/index.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';
import { followReader, say as sayMessage, sayAsIs, tx, uiLanguageSettled } from '../i18n/index.ts';
import { languageName, READING_LANGUAGES } from '../languages.ts';
import { alertsSettingsCard } from './alerts-settings-view.ts';

/** `onAlertsChanged`: alert settings were saved here, so this page's alerts read them again. */
export function settingsView(api: ApiClient, onAlertsChanged?: () => void): HTMLElement {
  return el(
    'section',
    { id: 'settings', class: 'settings', 'aria-label': 'Settings' },
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
  const save = el('button', { type: 'submit', class: 'button button-primary', text: 'Save name' });
  const done = result();
  const form = el(
    'form',
    { class: 'form' },
    el('label', { for: 'display-name', text: 'Display name' }),
    input,
    el('p', {
      id: 'display-name-help',
      class: 'form-help',
      text: 'Shown instead of your address in chats and in the emails they send. Leave it empty to show your address.',
    }),
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
      say(done, me.displayName ? `Saved: you show as ${me.displayName}.` : 'Saved: you show as your address.');
    } catch (err) {
      say(done, err instanceof Error ? err.message : 'Could not save', true);
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
  return el('section', { class: 'card', 'aria-labelledby': 'name-title' }, el('h2', { id: 'name-title', text: 'Your name' }), form);
}

function result(): HTMLParagraphElement {
  return el('p', { class: 'form-result', role: 'status', 'aria-live': 'polite' });
}

function say(node: HTMLElement, text: string, error = false): void {
  sayAsIs(node, text);
  node.classList.toggle('form-result-error', error);
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
  const save = el('button', { type: 'submit', class: 'button button-primary', text: 'Save' });
  const done = result();
  const since = el('p', { class: 'form-help' });
  const form = el(
    'form',
    { class: 'form' },
    el('div', { class: 'check' }, dnd, el('label', { for: 'dnd-on', text: 'Do not disturb' })),
    since,
    el(
      'fieldset',
      { class: 'fieldset' },
      el('legend', { text: 'While it is on, messages from chats I am away from:' }),
      el(
        'div',
        { class: 'check' },
        digest,
        el('label', { for: 'dnd-digest', text: 'wait, and come in one digest email when I turn it off' }),
      ),
      el(
        'div',
        { class: 'check' },
        resend,
        el('label', { for: 'dnd-resend', text: 'are emailed later, and again on a schedule until I read them' }),
      ),
      el('label', { for: 'dnd-minutes', text: 'Minutes between those emails' }),
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
    since.textContent =
      a.dnd && a.since
        ? `On since ${new Date(a.since).toLocaleString()}.`
        : 'Off: people who write while you are away get their messages to you by email.';
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
      say(done, a.dnd ? 'Saved: do not disturb is on.' : 'Saved: do not disturb is off.');
    } catch (err) {
      say(done, err instanceof Error ? err.message : 'Could not save', true);
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
  return el('section', { class: 'card', 'aria-labelledby': 'dnd-title' }, el('h2', { id: 'dnd-title', text: 'Do not disturb' }), form);
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
  const list = el('ul', { class: 'address-list', 'aria-label': 'My addresses' });
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
    const button = el('button', { type: 'submit', class: 'button', text: 'Email me a code' });
    const problem = el('p', { class: 'form-error', role: 'alert', hidden: !message, text: message });
    const form = el(
      'form',
      { class: 'form', 'aria-label': 'Add an address' },
      el('label', { for: 'link-address', text: 'Add another address' }),
      input,
      el('p', {
        id: 'link-address-help',
        class: 'form-help',
        text: 'Chats sent to any of your addresses open with this sign-in. We email a code to prove it is yours.',
      }),
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
        problem.textContent = err instanceof Error ? err.message : 'Could not send the code';
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
    const button = el('button', { type: 'submit', class: 'button button-primary', text: 'Add address' });
    const cancel = el('button', { type: 'button', class: 'button button-quiet', text: 'Cancel' });
    cancel.addEventListener('click', () => addressStep());
    const problem = el('p', { class: 'form-error', role: 'alert', hidden: true });
    const form = el(
      'form',
      { class: 'form', 'aria-label': 'Enter the code' },
      el('label', { for: 'link-code', text: `Code sent to ${address}` }),
      input,
      el('p', { id: 'link-code-help', class: 'form-help', text: 'The 6-digit code from the email we just sent to that address.' }),
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
        say(done, `${address} is now linked to your sign-in.`);
      } catch (err) {
        const final =
          err instanceof ApiError && (err.code === 'CODE_EXPIRED' || err.code === 'TOO_MANY_ATTEMPTS' || err.code === 'CONFLICT');
        problem.textContent = err instanceof Error ? err.message : 'Could not add the address';
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
    el('h2', { id: 'addresses-title', text: 'My email addresses' }),
    list,
    done,
    body,
  );
}
