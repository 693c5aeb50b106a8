/// <reference types="office-js" />
/**
 * Event-based activation: the audience follows the draft. Both handlers finish quickly and the
 * send handler always lets the message go: a slow or absent server only means the change is
 * queued and delivered by the next pane or event.
 */
import { syncDraft } from '../compose/sync.ts';
import type { AddinContext } from '../office/context.ts';

/** How long a send waits for the server before queueing the audience instead. */
export const SEND_TIMEOUT_MS = 2_500;
/**
 * The whole send handler (queue flush plus sync) ends within this, below the 5 seconds after
 * which Outlook shows Smart Alerts' "taking longer than expected" dialog.
 */
export const SEND_HANDLER_CAP_MS = 4_000;
const RECIPIENTS_TIMEOUT_MS = 5_000;

type Completable = { completed: (options?: { allowEvent?: boolean }) => void };

async function run(getContext: () => Promise<AddinContext>, sending: boolean): Promise<void> {
  const ctx = await getContext();
  if (!ctx.session.token || !ctx.serverUrl) return; // never signed in: nothing was embedded here
  const item = Office.context.mailbox.item as Office.MessageCompose;
  await ctx.pending.flush(ctx.api).catch(() => undefined);
  await syncDraft(item, {
    api: ctx.api,
    pending: ctx.pending,
    serverUrl: ctx.serverUrl,
    timeoutMs: sending ? SEND_TIMEOUT_MS : RECIPIENTS_TIMEOUT_MS,
    sending,
  });
}

export function makeHandlers(getContext: () => Promise<AddinContext>) {
  return {
    async onMessageRecipientsChanged(event: Completable): Promise<void> {
      try {
        await run(getContext, false);
      } catch {
        // Nothing to tell the user: the compose pane or the send retries.
      } finally {
        event.completed();
      }
    },
    async onMessageSend(event: Completable): Promise<void> {
      try {
        // The flush before the sync is bounded too: the whole handler ends before Outlook's dialog.
        await Promise.race([run(getContext, true), new Promise((r) => setTimeout(r, SEND_HANDLER_CAP_MS))]);
      } catch {
        // Sending never depends on the chat server.
      } finally {
        event.completed({ allowEvent: true });
      }
    },
  };
}
