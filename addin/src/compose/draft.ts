/// <reference types="office-js" />
/**
 * What the compose logic needs from an Outlook draft, as promises. Newer APIs (From, internet
 * headers) are used when the client has them and skipped quietly when it does not.
 */
import type { AudienceInput } from '../../../protocol/index.ts';
import { CHAT_HEADER } from '../../../mail-client/chat-header.ts';
import { officeCall, supportsMailbox } from '../office/async.ts';

export type BodyKind = 'html' | 'text';

const DRAFT_KEY = 'inboxChatDraftKey';
const CHAT_ID = 'inboxChatId';

export interface DraftState {
  draftKey: string | null;
  chatId: string | null;
}

function addresses(list: Office.EmailAddressDetails[] | undefined): string[] {
  const out: string[] = [];
  for (const r of list ?? []) {
    const a = (r.emailAddress ?? '').trim();
    if (a && !out.includes(a.toLowerCase())) out.push(a.toLowerCase());
  }
  return out;
}

function recipients(field: Office.Recipients | undefined): Promise<string[]> {
  if (!field) return Promise.resolve([]);
  return officeCall<Office.EmailAddressDetails[]>((cb) => field.getAsync(cb)).then(addresses);
}

/** The signed-in mailbox's own address (the sender when From cannot be read). */
export function mailboxAddress(): string {
  return (Office.context.mailbox.userProfile?.emailAddress ?? '').trim().toLowerCase();
}

export async function readFrom(item: Office.MessageCompose): Promise<string[]> {
  if (item.from && supportsMailbox('1.7')) {
    try {
      const from = await officeCall<Office.EmailAddressDetails>((cb) => item.from.getAsync(cb));
      const found = addresses([from]);
      if (found.length) return found;
    } catch {
      // Shared mailboxes and some clients refuse From; the profile address is the sender then.
    }
  }
  const me = mailboxAddress();
  return me ? [me] : [];
}

export async function readAudience(item: Office.MessageCompose): Promise<Required<AudienceInput>> {
  const [from, to, cc, bcc] = await Promise.all([readFrom(item), recipients(item.to), recipients(item.cc), recipients(item.bcc)]);
  return { from, to, cc, bcc };
}

export function readSubject(item: Office.MessageCompose): Promise<string> {
  return officeCall<string>((cb) => item.subject.getAsync(cb)).then((s) => s ?? '');
}

export async function bodyKind(item: Office.MessageCompose): Promise<BodyKind> {
  const type = await officeCall<Office.CoercionType>((cb) => item.body.getTypeAsync(cb));
  return String(type) === 'html' ? 'html' : 'text';
}

export function bodyContent(item: Office.MessageCompose, kind: BodyKind): Promise<string> {
  return officeCall<string>((cb) => item.body.getAsync(kind as Office.CoercionType, cb)).then((s) => s ?? '');
}

export function insertAtCursor(item: Office.MessageCompose, data: string, kind: BodyKind): Promise<void> {
  return officeCall<void>((cb) => item.body.setSelectedDataAsync(data, { coercionType: kind as Office.CoercionType }, cb));
}

function customProperties(item: Office.MessageCompose): Promise<Office.CustomProperties> {
  return officeCall<Office.CustomProperties>((cb) => item.loadCustomPropertiesAsync(cb));
}

/** The chat this draft embedded, kept in the draft itself so it survives closing and reopening. */
export async function readDraftState(item: Office.MessageCompose): Promise<DraftState> {
  const props = await customProperties(item);
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return { draftKey: str(props.get(DRAFT_KEY)), chatId: str(props.get(CHAT_ID)) };
}

export async function writeDraftState(item: Office.MessageCompose, state: DraftState): Promise<void> {
  const props = await customProperties(item);
  for (const [key, value] of [
    [DRAFT_KEY, state.draftKey],
    [CHAT_ID, state.chatId],
  ] as const) {
    if (value) props.set(key, value);
    else props.remove(key);
  }
  await officeCall<void>((cb) => props.saveAsync(cb));
}

export async function setChatHeader(item: Office.MessageCompose, chatId: string | null): Promise<void> {
  if (!item.internetHeaders || !supportsMailbox('1.8')) return;
  if (chatId) {
    await officeCall<void>((cb) => item.internetHeaders.setAsync({ [CHAT_HEADER]: chatId }, cb));
  } else {
    await officeCall<void>((cb) => item.internetHeaders.removeAsync([CHAT_HEADER], cb));
  }
}

export function newDraftKey(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return `outlook:${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
