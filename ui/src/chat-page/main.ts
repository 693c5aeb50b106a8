/** Entry of the web chat page (`/` and `/c/<uuid>`): sign-in, then home or one chat. */
import type { SessionView } from '../../../protocol/index.ts';
import { ApiClient, ApiError } from '../api-client.ts';
import { SocketTransport } from '../socket-transport.ts';
import { el } from '../dom.ts';
import { showCallsElsewhere } from './call-alerts.ts';
import { ensureUiLanguage, followReader, say, sayAsIs, setTitle, t, tx, type UiLanguage } from '../i18n/index.ts';
import { openChatRoute } from './chat-route-view.ts';
import { homeView } from './home-view.ts';
import { messengerView, type Messenger } from './messenger-view.ts';
import { pageAlerts } from './page-alerts.ts';
import { ringAlerts } from './ring-alerts.ts';
import { adoptLinkSession } from './link-landing.ts';
import { chatLinkToken, parseRoute, signInToken } from './route.ts';
import { adoptSession, SessionStore, signOutToken, type ConfirmSwitch } from './session.ts';
import { createShell, messageView } from './shell.ts';
import { accountSwitchView, signInView, signInWithLink } from './sign-in-view.ts';
import './page.css';

ensureUiLanguage();
const session = new SessionStore();
const api = new ApiClient({ baseUrl: '', getToken: () => session.token });
const route = parseRoute(location.pathname);
const shell = createShell(document.getElementById('app') ?? document.body, { onLanguage: chooseLanguage });

/**
 * The header's language picker: my language, for the interface and for reading messages alike
 * (one choice, as in Settings). Signed out, it only changes this page.
 */
function chooseLanguage(lang: UiLanguage): void {
  followReader(lang);
  if (session.token) void api.setMyLanguage(lang).catch(() => {});
}

async function boot(): Promise<void> {
  let message = '';
  let linkExpired = false;
  if (location.hash.startsWith('#link=')) {
    const token = chatLinkToken(location.hash);
    // A personal link from an email is a one-time secret: out of the address bar and history at once.
    history.replaceState(null, '', location.pathname + location.search);
    try {
      if (!token) throw new ApiError('LINK_EXPIRED', 410, t('page.linkIncomplete'));
      await adoptLinkSession(api, session, token, confirmSwitch);
    } catch (err) {
      if (!(err instanceof ApiError) || err.code === 'NETWORK') {
        message = t('page.linkFailed');
      } else if (!session.token) {
        linkExpired = err.code === 'LINK_EXPIRED';
        message = linkExpired ? t('page.linkExpired') : err.message;
      }
      // With a session already on this device, the chat simply opens (if that session may see it).
    }
  } else if (location.hash.startsWith('#signin=')) {
    const token = signInToken(location.hash);
    // The fragment is a one-time secret: take it out of the address bar and history at once.
    history.replaceState(null, '', location.pathname + location.search);
    try {
      if (!token) throw new ApiError('LINK_EXPIRED', 410, t('page.signInLinkInvalid'));
      await adoptSession(api, session, await signInWithLink(api, token), confirmSwitch);
    } catch (err) {
      message = err instanceof ApiError && err.code !== 'NETWORK' ? err.message : t('page.signInLinkFailed');
    }
  }
  if (route.kind === 'not-found') {
    shell.show(messageView('route.notFound', 'page.notFoundText', el('p', {}, el('a', { href: '/', ...tx('page.goHome') }))));
    return;
  }
  if (session.token) {
    try {
      const me = await api.me();
      followReader(me.language);
      session.update(me.addresses[0], me.chatId);
      return signedIn();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') {
        session.clear();
        message ||= t('page.sessionEnded');
      } else {
        // Server unreachable: carry on; the transport shows the connection state and retries.
        return signedIn();
      }
    }
  }
  showSignIn(message, linkExpired);
}

/** Shows the account-switch question in the page and resolves with the answer. */
const confirmSwitch: ConfirmSwitch = (current, incoming) =>
  new Promise((resolve) => {
    setTitle('page.title', { page: t('page.switchAccounts') });
    shell.show(accountSwitchView(current, incoming, resolve));
  });

function showSignIn(message: string, linkExpired = false): void {
  setTitle('page.title', { page: t('page.signIn') });
  shell.setUser(null);
  // Signing in again from a one-chat session: that session is replaced once the code works.
  const previous = session.token;
  const view = signInView({
    api,
    chatId: route.kind === 'chat' ? route.chatId : undefined,
    message,
    onSignedIn: (s: SessionView) => {
      if (previous && previous !== s.token) void signOutToken(previous);
      session.save(s);
      signedIn();
    },
  });
  if (linkExpired) view.dataset.state = 'link-expired';
  shell.show(view);
}

function signedIn(): void {
  const transport = new SocketTransport({
    getToken: () => session.token,
    capabilities: () =>
      import(/* webpackChunkName: "on-demand-capabilities" */ '../capabilities.ts').then((c) => c.detectCapabilities('web')),
  });
  let view: { destroy(): void } | null = null;
  let messenger: Messenger | null = null;
  let openChatId = route.kind === 'chat' ? route.chatId : null;
  // A notification or a ring switches chats in place in the messenger; a one-chat session has no other chat to switch to.
  const openChat = (chatId: string) => (messenger ? messenger.open(chatId) : location.assign(`/c/${chatId}`));
  const alerts = pageAlerts({ api, transport, openChatId: () => openChatId, openChat });
  const signOut = () => {
    void api.signOut().catch(() => {});
    end();
  };
  // The messenger changes the open chat: the ring is shown unless its chat is on screen now.
  const stopCallsElsewhere = showCallsElsewhere(transport, shell.alerts, () => openChatId, openChat);
  // A ring raises the alerts a message would: a notification in the background, the ring tone.
  const stopRingAlerts = ringAlerts({ api, transport, openChatId: () => openChatId, openChat });
  const stopCallAlerts = () => {
    stopCallsElsewhere();
    stopRingAlerts();
  };
  const end = (message = '') => {
    alerts.destroy();
    view?.destroy();
    stopCallAlerts();
    transport.close();
    session.clear();
    showSignIn(message);
  };
  transport.on('status', (s) => {
    if (s === 'unauthorized') end(t('page.sessionEnded'));
  });
  /** From a one-chat session: prove the address with a code to get a full one. */
  const signInFully = () => {
    alerts.destroy();
    view?.destroy();
    stopCallAlerts();
    transport.close();
    showSignIn('');
  };
  shell.setUser({ address: session.address ?? '', onSignOut: signOut });
  // The connection banner, where no chat panel shows its own status line.
  const status = el('p', { class: 'connection', role: 'status', hidden: true });
  const showStatus = () => {
    const s = transport.status;
    status.hidden = s === 'online' || openChatId !== null;
    if (!status.hidden && s === 'offline') say(status, 'status.offline');
    else if (!status.hidden && s === 'connecting') say(status, 'status.connecting');
    else sayAsIs(status, '');
  };
  transport.on('status', showStatus);
  if (!session.chatScope) {
    // A full session gets the messenger: every chat, switched in place.
    messenger = messengerView({
      api,
      transport,
      chatId: openChatId,
      me: session.address ?? '',
      onSignOut: signOut,
      onAlertsChanged: alerts.check,
      onOpenChange: (chatId) => {
        openChatId = chatId;
        showStatus();
        alerts.check();
      },
    });
    shell.show(status, messenger.root);
    view = messenger;
  } else if (route.kind === 'chat') {
    view = openChatRoute({
      api,
      transport,
      chatId: route.chatId,
      show: shell.show,
      onSignOut: signOut,
    });
  } else {
    setTitle('page.title', { page: t('page.myChats') });
    const home = homeView({ api, transport, chatScope: session.chatScope, onSignInFully: signInFully, onAlertsChanged: alerts.check });
    shell.show(status, home.root);
    view = home;
  }
}

void boot();
