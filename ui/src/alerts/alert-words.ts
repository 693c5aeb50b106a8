/** The alert words of the web page and the Outlook panes, from the interface catalogue. */
import { t } from '../i18n/index.ts';
import type { AlertWords } from './alert-policy.ts';

export const uiAlertWords: AlertWords = {
  get someone() {
    return t('common.someone');
  },
  mentionedYou: (sender) => t('alerts.mentionedYou', { sender }),
};
