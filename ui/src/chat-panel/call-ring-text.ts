/**
 * "alice@example.com is calling (video): Quarterly plan": the words of a ringing call, the same
 * in the chat panel's prompt and the chat page's alert for a chat not on screen.
 */
import type { CallRing } from '../../../protocol/index.ts';
import { t, type MessageKey, type Values } from '../i18n/index.ts';

export function ringText(r: CallRing): [MessageKey, Values] {
  return [
    r.call.media === 'video' ? 'call.ringingVideo' : 'call.ringing',
    { caller: r.callerAddress, subject: r.subject || t('panel.title') },
  ];
}
