/**
 * Runs inside the compose editor. The background decides what to insert; this only puts it at
 * the cursor, so it lands where the user is writing and undo removes it in one step.
 */
import type { InsertPanelMessage } from '../background/compose.ts';
import type { Messenger } from '../messenger.ts';

declare const messenger: Messenger;

function insert(m: InsertPanelMessage): boolean {
  document.body.focus();
  if (m.plainText) return document.execCommand('insertText', false, `\n${m.text}\n`);
  // A paragraph after the panel gives the cursor somewhere to continue writing.
  return document.execCommand('insertHTML', false, `${m.html}<p><br></p>`);
}

/**
 * The background injects this script into open compose windows every time it starts, and
 * Thunderbird suspends and restarts it often; content scripts of one extension share their
 * global in a document, so a flag there keeps it to one listener (one panel per click).
 */
const scope = globalThis as { inboxChatComposeScript?: boolean };
if (!scope.inboxChatComposeScript) {
  scope.inboxChatComposeScript = true;
  messenger.runtime.onMessage.addListener((message: InsertPanelMessage) => {
    if (message?.type !== 'inbox-chat:insert-panel') return;
    return Promise.resolve({ inserted: insert(message) });
  });
}
