/// <reference types="office-js" />
/**
 * What every task pane does first: wait for Office, build the add-in context, deliver any
 * audience change a send could not, and make sure the user is signed in (the emailed code,
 * once; the session is kept in shared storage afterwards).
 */
import type { SessionView } from '../../../protocol/index.ts';
import { ApiError } from '../../../ui/src/api-client.ts';
import { el } from '../../../ui/src/dom.ts';
import { ensureUiLanguage, followReader, setTitle, t, tx, type MessageKey } from '../../../ui/src/i18n/index.ts';
import { mailboxAddress } from '../compose/draft.ts';
import { sayOfficeFailuresWith } from '../office/async.ts';
import { createContext, type AddinContext } from '../office/context.ts';

export async function officeReady(): Promise<void> {
  await new Promise<void>((resolve) => {
    void Office.onReady(() => resolve());
  });
}

/**
 * Resolves once signed in; shows the sign-in form in `host` when needed. `title` is the pane's
 * document title (the HTML's English one until the language is known).
 */
export async function bootPane(host: HTMLElement, title?: MessageKey): Promise<AddinContext> {
  await officeReady();
  // Outlook's display language until the identity's own reading language is known.
  ensureUiLanguage(Office.context?.displayLanguage);
  sayOfficeFailuresWith((failure) => t(failure === 'failed' ? 'office.failed' : 'office.noAnswer'));
  if (title) setTitle(title);
  const ctx = await createContext();
  if (ctx.session.token) {
    try {
      followReader((await ctx.api.me()).language);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') await ctx.session.clear();
      // Otherwise the server is unreachable right now: carry on, the views report it.
    }
  }
  if (!ctx.session.token) await signIn(host, ctx);
  void ctx.pending.flush(ctx.api).catch(() => undefined);
  return ctx;
}

/** Only the first run needs the form, so it is a separate chunk. */
export async function signIn(host: HTMLElement, ctx: AddinContext, message = ''): Promise<void> {
  const { signInView } = await import(/* webpackChunkName: "sign-in" */ '../../../ui/src/chat-page/sign-in-view.ts');
  return new Promise((resolve) => {
    const view = signInView({
      api: ctx.api,
      message,
      onSignedIn: (session: SessionView) => {
        void ctx.session.save(session).then(resolve, resolve);
      },
    });
    // Outlook knows the mailbox's address: offer it, the user can still type another.
    const input = view.querySelector<HTMLInputElement>('input[type="email"]');
    if (input && !input.value) input.value = mailboxAddress();
    host.replaceChildren(el('p', { class: 'pane-intro', ...tx('pane.intro') }), view);
  });
}

/** A line of ours (a message key, kept in the UI language) or words that are not ours (a server's error). */
export function notice(text: MessageKey | { asIs: string }, kind: 'info' | 'error' = 'info'): HTMLElement {
  const words = typeof text === 'string' ? tx(text) : { text: text.asIs };
  return el('p', { class: `pane-notice pane-notice-${kind}`, role: kind === 'error' ? 'alert' : 'status', ...words });
}
