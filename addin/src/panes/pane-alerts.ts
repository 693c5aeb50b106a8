/// <reference types="office-js" />
/**
 * Alerts in the pinned "My chats" pane, the one pane that follows all of a person's chats: the
 * shared browser alerts (in-pane notice, sound, vibration, speech, and a desktop notification
 * where the pane's web view allows one; an add-in frame often may not), plus Outlook's own
 * means: an info bar on the email being read. The pane does not own Outlook's title or icon,
 * so there is no title count or favicon badge here; the list shows the counts.
 */
import type { ApiClient } from '../../../ui/src/api-client.ts';
import { alertSender, firstWords, type Alert } from '../../../ui/src/alerts/alert-policy.ts';
import { browserAlerts } from '../../../ui/src/alerts/browser-alerts.ts';
import { uiAlertWords } from '../../../ui/src/alerts/alert-words.ts';
import { watchAlerts, type AlertWatch } from '../../../ui/src/alerts/alert-watch.ts';
import type { ChatTransport } from '../../../ui/src/transport.ts';
import { t } from '../../../ui/src/i18n/index.ts';
import { officeCall } from '../office/async.ts';

const INFO_BAR_KEY = 'inboxChatAlert';
/** Outlook refuses longer info bar messages. */
const INFO_BAR_CHARS = 150;

export function paneAlerts(opts: {
  api: ApiClient;
  transport: ChatTransport;
  /** The chat open in the pane, if any. */
  openChatId: () => string | null;
  openChat: (chatId: string) => void;
}): AlertWatch {
  const inPane = browserAlerts({ host: document.body, openChat: opts.openChat, badge: false });
  const watch = watchAlerts({
    api: opts.api,
    transport: opts.transport,
    lookingAt: (chatId) => chatId === opts.openChatId() && document.visibilityState === 'visible',
    sink: {
      alert(a, settings) {
        inPane.alert(a, settings);
        void showAlertInfoBar(a).catch(() => undefined);
      },
      unread: () => undefined,
    },
  });
  return {
    check: watch.check,
    destroy() {
      watch.destroy();
      inPane.destroy();
    },
  };
}

/** The info bar of the email in view (read or compose) names the new IM; there is none without an email. */
async function showAlertInfoBar(a: Alert): Promise<void> {
  const item = (typeof Office !== 'undefined' ? Office.context?.mailbox?.item : null) as Office.MessageRead | null | undefined;
  if (!item?.notificationMessages) return;
  const text = a.subject
    ? t('pane.newIm', { sender: alertSender(a, uiAlertWords), chat: a.subject, words: firstWords(a.text) })
    : t('pane.newImNoSubject', { sender: alertSender(a, uiAlertWords), words: firstWords(a.text) });
  await officeCall<void>((cb) =>
    item.notificationMessages.replaceAsync(
      INFO_BAR_KEY,
      {
        type: 'informationalMessage' as Office.MailboxEnums.ItemNotificationMessageType,
        message: text.length > INFO_BAR_CHARS ? `${text.slice(0, INFO_BAR_CHARS - 1)}…` : text,
        icon: 'Icon.16x16',
        persistent: false,
      },
      cb,
    ),
  );
}
