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

messenger.runtime.onMessage.addListener((message: InsertPanelMessage) => {
  if (message?.type !== 'inbox-chat:insert-panel') return;
  return Promise.resolve({ inserted: insert(message) });
});
