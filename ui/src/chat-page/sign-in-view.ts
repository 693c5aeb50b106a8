/**
 * Proving an address: type it, get a 6-digit code by email, type the code. No password,
 * no sign-up: the first proof creates the identity.
 */
import type { SessionView } from '../../../protocol/index.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';
import { say, sayAsIs, t, tx } from '../i18n/index.ts';

export interface SignInOptions {
  api: ApiClient;
  /** Set on a chat link: the email's magic link then lands back on this chat. */
  chatId?: string;
  /** Shown above the form, e.g. why the previous session or link did not work (already in the reader's language). */
  message?: string;
  onSignedIn: (session: SessionView) => void;
  /** How the new session is named in the session list (default: a web browser). */
  sessionLabel?: string;
}

export function signInView(opts: SignInOptions): HTMLElement {
  const root = el('section', { class: 'card sign-in' });
  showAddressStep(root, opts, opts.message ?? '');
  return root;
}

function errorLine(text: string): HTMLParagraphElement {
  return el('p', { class: 'form-error', role: 'alert', hidden: !text, text });
}

function showAddressStep(root: HTMLElement, opts: SignInOptions, message: string, address = ''): void {
  const input = el('input', {
    id: 'signin-address',
    name: 'address',
    type: 'email',
    autocomplete: 'email',
    required: true,
    value: address,
    'aria-describedby': 'signin-address-help',
  });
  const button = el('button', { type: 'submit', class: 'button button-primary', ...tx('signin.emailCode') });
  const error = errorLine(message);
  const form = el(
    'form',
    { class: 'form', ...tx({ 'aria-label': 'page.signIn' }) },
    el('label', { for: 'signin-address', ...tx('signin.address') }),
    input,
    el('p', { id: 'signin-address-help', class: 'form-help', ...tx('signin.addressHelp') }),
    error,
    button,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    error.hidden = true;
    try {
      const started = await opts.api.startSignIn(input.value.trim(), opts.chatId);
      showCodeStep(root, opts, started.verificationId, started.address);
    } catch (err) {
      if (err instanceof Error) sayAsIs(error, err.message);
      else say(error, 'signin.sendFailed');
      error.hidden = false;
      button.disabled = false;
      input.focus();
    }
  });
  root.replaceChildren(el('h1', tx(opts.chatId ? 'signin.toJoin' : 'signin.toApp')), form);
  input.focus();
}

function showCodeStep(root: HTMLElement, opts: SignInOptions, verificationId: string, address: string): void {
  const input = el('input', {
    id: 'signin-code',
    name: 'code',
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]{6}',
    maxlength: '6',
    required: true,
    'aria-describedby': 'signin-code-help',
  });
  const button = el('button', { type: 'submit', class: 'button button-primary', ...tx('page.signIn') });
  const error = errorLine('');
  const other = el('button', { type: 'button', class: 'button button-quiet', ...tx('signin.other') });
  other.addEventListener('click', () => showAddressStep(root, opts, '', address));
  const form = el(
    'form',
    { class: 'form', ...tx({ 'aria-label': 'signin.codeForm' }) },
    el('label', { for: 'signin-code', ...tx('signin.code') }),
    input,
    el('p', { id: 'signin-code-help', class: 'form-help', ...tx('signin.codeHelp', { address }) }),
    error,
    el('div', { class: 'form-actions' }, button, other),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    error.hidden = true;
    try {
      opts.onSignedIn(await opts.api.verifyCode(verificationId, input.value.trim(), opts.sessionLabel ?? t('signin.sessionLabel')));
    } catch (err) {
      const final = err instanceof ApiError && (err.code === 'CODE_EXPIRED' || err.code === 'TOO_MANY_ATTEMPTS');
      if (err instanceof Error) sayAsIs(error, err.message);
      else say(error, 'signin.failed');
      error.hidden = false;
      button.disabled = final;
      input.disabled = final;
      if (final) other.focus();
      else {
        input.select();
        input.focus();
      }
    }
  });
  root.replaceChildren(el('h1', tx('signin.checkEmail')), form);
  input.focus();
}

/** Signs in with a magic link's token; the page removes the fragment either way. */
export async function signInWithLink(api: ApiClient, token: string): Promise<SessionView> {
  return api.verifyLink(token, t('signin.sessionLabel'));
}

/**
 * Asked when a link from an email would sign this device in as someone else: a link can be
 * sent by anyone, so switching is the person's choice. Staying is the first, focused button.
 */
export function accountSwitchView(current: string, incoming: string, decide: (switchAccounts: boolean) => void): HTMLElement {
  const stay = el('button', { type: 'button', class: 'button button-primary', ...tx('signin.stayAs', { address: current }) });
  const change = el('button', { type: 'button', class: 'button', ...tx('signin.switchTo', { address: incoming }) });
  const root = el(
    'section',
    { class: 'card account-switch', 'aria-labelledby': 'account-switch-title' },
    el('h1', { id: 'account-switch-title', ...tx('page.switchAccounts') }),
    el('p', tx('signin.switchWhy', { current, incoming })),
    el('p', tx('signin.switchAdvice')),
    el('div', { class: 'form-actions' }, stay, change),
  );
  let decided = false;
  const once = (switchAccounts: boolean) => {
    if (decided) return;
    decided = true;
    stay.disabled = true;
    change.disabled = true;
    decide(switchAccounts);
  };
  stay.addEventListener('click', () => once(false));
  change.addEventListener('click', () => once(true));
  return root;
}
