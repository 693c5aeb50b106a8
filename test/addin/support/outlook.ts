/**
 * Outlook cannot exist on this machine, so the add-in's compose and read logic runs against
 * office-addin-mock objects that behave like an Outlook draft or received message: a body with a
 * cursor, recipients, custom properties that persist with the draft, internet headers and an info
 * bar. Everything else in these tests (server, database, SMTP) is real.
 */
import { OfficeMockObject } from 'office-addin-mock';

type Result<T> = { status: 'succeeded'; value: T } | { status: 'failed'; error: { code: number; name: string; message: string } };
type Cb<T> = (r: Result<T>) => void;

const ok = <T>(cb: Cb<T> | undefined, value: T) => queueMicrotask(() => cb?.({ status: 'succeeded', value }));
// Cb<never>: a failure carries no value, so any callback takes it.
const fail = (cb: Cb<never> | undefined, message: string) =>
  queueMicrotask(() => cb?.({ status: 'failed', error: { code: 9000, name: 'GenericError', message } }));

/** Last argument that is a function: Office's async methods take options before the callback. */
function callbackOf<T>(args: unknown[]): Cb<T> | undefined {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as Cb<T>) : undefined;
}

export interface Person {
  emailAddress: string;
  displayName?: string;
}

const person = (a: string): Person => ({ emailAddress: a, displayName: a.split('@')[0] });

export interface DraftOptions {
  subject?: string;
  from?: string;
  to?: string[];
  cc?: string[];
  bcc?: string[];
  bodyKind?: 'html' | 'text';
  body?: string;
  /** Where the cursor is, as an offset into the body; default: the end. */
  cursor?: number;
  /** Requirement sets the client claims (default: all of them). */
  mailbox?: string;
}

/** The state of one fake draft, visible to the test. */
export class FakeDraft {
  subject: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  bodyKind: 'html' | 'text';
  body: string;
  cursor: number;
  readonly customProperties = new Map<string, unknown>();
  /** What a saveAsync persisted, i.e. what survives closing and reopening the draft. */
  readonly savedProperties = new Map<string, unknown>();
  readonly headers = new Map<string, string>();
  inserts: { data: string; coercionType: string }[] = [];

  constructor(o: DraftOptions = {}) {
    this.subject = o.subject ?? '';
    this.from = o.from ?? '';
    this.to = o.to ?? [];
    this.cc = o.cc ?? [];
    this.bcc = o.bcc ?? [];
    this.bodyKind = o.bodyKind ?? 'html';
    this.body = o.body ?? (this.bodyKind === 'html' ? '<div>Hello,</div>' : 'Hello,\n');
    this.cursor = o.cursor ?? this.body.length;
  }

  private recipients(field: 'to' | 'cc' | 'bcc') {
    return {
      getAsync: (...args: unknown[]) => ok(callbackOf(args), this[field].map(person)),
      setAsync: (list: string[], ...args: unknown[]) => {
        this[field] = list;
        ok(callbackOf(args), undefined);
      },
    };
  }

  /** The Office.js item object data for office-addin-mock. */
  itemData(): Record<string, unknown> {
    return {
      itemType: 'message',
      subject: { getAsync: (...a: unknown[]) => ok(callbackOf(a), this.subject) },
      from: { getAsync: (...a: unknown[]) => ok(callbackOf(a), person(this.from)) },
      to: this.recipients('to'),
      cc: this.recipients('cc'),
      bcc: this.recipients('bcc'),
      body: {
        getTypeAsync: (...a: unknown[]) => ok(callbackOf(a), this.bodyKind),
        getAsync: (kind: string, ...a: unknown[]) => {
          if (kind === 'html' && this.bodyKind === 'text') return ok(callbackOf(a), `<div>${this.body}</div>`);
          if (kind === 'text' && this.bodyKind === 'html') return ok(callbackOf(a), this.body.replace(/<[^>]+>/g, ''));
          ok(callbackOf(a), this.body);
        },
        setSelectedDataAsync: (data: string, options: { coercionType?: string }, ...a: unknown[]) => {
          const type = options?.coercionType ?? 'text';
          if (type === 'html' && this.bodyKind === 'text') return fail(callbackOf(a), 'HTML cannot go into a plain-text body');
          this.inserts.push({ data, coercionType: type });
          this.body = this.body.slice(0, this.cursor) + data + this.body.slice(this.cursor);
          this.cursor += data.length;
          ok(callbackOf(a), undefined);
        },
      },
      loadCustomPropertiesAsync: (...a: unknown[]) => {
        const props = this.customProperties;
        for (const [k, v] of this.savedProperties) props.set(k, v);
        ok(callbackOf(a), {
          get: (k: string) => props.get(k),
          set: (k: string, v: unknown) => void props.set(k, v),
          remove: (k: string) => void props.delete(k),
          getAll: () => Object.fromEntries(props),
          saveAsync: (...s: unknown[]) => {
            this.savedProperties.clear();
            for (const [k, v] of props) this.savedProperties.set(k, v);
            ok(callbackOf(s), undefined);
          },
        });
      },
      internetHeaders: {
        setAsync: (h: Record<string, string>, ...a: unknown[]) => {
          for (const [k, v] of Object.entries(h)) this.headers.set(k, v);
          ok(callbackOf(a), undefined);
        },
        removeAsync: (names: string[], ...a: unknown[]) => {
          for (const n of names) this.headers.delete(n);
          ok(callbackOf(a), undefined);
        },
        getAsync: (names: string[], ...a: unknown[]) =>
          ok(callbackOf(a), Object.fromEntries(names.filter((n) => this.headers.has(n)).map((n) => [n, this.headers.get(n)]))),
      },
    };
  }
}

export interface MessageOptions {
  subject?: string;
  from: string;
  to?: string[];
  cc?: string[];
  html?: string;
  text?: string;
  headers?: string;
  internetMessageId?: string;
  itemId?: string;
}

/** A received email in the reading pane. */
export class FakeMessage {
  readonly notifications = new Map<string, { type: string; message: string }>();
  constructor(readonly o: MessageOptions) {}

  itemData(): Record<string, unknown> {
    const o = this.o;
    return {
      itemType: 'message',
      itemId: o.itemId ?? `AAMk-${Math.random().toString(36).slice(2)}`,
      internetMessageId: o.internetMessageId ?? `<${Math.random().toString(36).slice(2)}@mail.example>`,
      subject: o.subject ?? '',
      from: person(o.from),
      sender: person(o.from),
      to: (o.to ?? []).map(person),
      cc: (o.cc ?? []).map(person),
      body: {
        getAsync: (kind: string, ...a: unknown[]) =>
          ok(
            callbackOf(a),
            kind === 'html' ? (o.html ?? `<div>${o.text ?? ''}</div>`) : (o.text ?? (o.html ?? '').replace(/<[^>]+>/g, '')),
          ),
      },
      getAllInternetHeadersAsync: (...a: unknown[]) => ok(callbackOf(a), o.headers ?? 'Subject: x\r\n'),
      notificationMessages: {
        replaceAsync: (key: string, details: { type: string; message: string }, ...a: unknown[]) => {
          this.notifications.set(key, { type: details.type, message: details.message });
          ok(callbackOf(a), undefined);
        },
        removeAsync: (key: string, ...a: unknown[]) => {
          this.notifications.delete(key);
          ok(callbackOf(a), undefined);
        },
      },
    };
  }
}

export interface InstalledOffice {
  /** Switches the mailbox to another item (what moving to another email does). */
  select(item: FakeDraft | FakeMessage): void;
  /** ItemChanged handlers the code registered. */
  fireItemChanged(): void;
  uninstall(): void;
}

/**
 * Installs `globalThis.Office` as an office-addin-mock object for a mailbox whose profile
 * address is `me`, showing `item`.
 */
export function installOffice(me: string, item: FakeDraft | FakeMessage, opts: { mailbox?: string } = {}): InstalledOffice {
  const maxMinor = Number((opts.mailbox ?? '1.15').split('.')[1]);
  const itemChanged: (() => void)[] = [];
  const build = (current: FakeDraft | FakeMessage) =>
    new OfficeMockObject({
      host: 'outlook',
      context: {
        mailbox: {
          item: current.itemData(),
          userProfile: { emailAddress: me, displayName: me.split('@')[0] },
          addHandlerAsync: (type: string, handler: () => void, ...a: unknown[]) => {
            if (type === 'olkItemSelectedChanged') itemChanged.push(handler);
            ok(callbackOf(a), undefined);
          },
        },
        requirements: {
          isSetSupported: (name: string, version = '1.1') => name === 'Mailbox' && Number(version.split('.')[1] ?? 0) <= maxMinor,
        },
      },
      EventType: { ItemChanged: 'olkItemSelectedChanged', RecipientsChanged: 'olkRecipientsChanged' },
    });
  const g = globalThis as { Office?: unknown };
  const previous = g.Office;
  let office = build(item);
  g.Office = office;
  return {
    select(next) {
      office = build(next);
      g.Office = office;
    },
    fireItemChanged() {
      for (const h of itemChanged) h();
    },
    uninstall() {
      g.Office = previous;
    },
  };
}
