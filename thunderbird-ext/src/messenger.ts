/**
 * The part of Thunderbird's `messenger` API this extension uses, typed from the API schemas of
 * Thunderbird 128+ (`@types/thunderbird-webext-browser` lags behind). Logic modules take a
 * `Messenger` argument instead of reaching for the global, so unit tests pass a mock.
 */

export interface Listenable<F extends (...args: never[]) => unknown> {
  addListener(listener: F): void;
  removeListener(listener: F): void;
  hasListener?(listener: F): boolean;
}

export interface Tab {
  id?: number;
  windowId?: number;
  active: boolean;
  type?: string;
  mailTab?: boolean;
  url?: string;
}

/** A recipient as the compose API reports it: "Name <addr>", or an address book entry. */
export type ComposeRecipient = string | { id: string; type: 'contact' | 'mailingList' };
export type ComposeRecipientList = ComposeRecipient | ComposeRecipient[];

export interface CustomHeader {
  name: string;
  value: string;
}

export interface ComposeDetails {
  from?: ComposeRecipient;
  identityId?: string;
  to?: ComposeRecipientList;
  cc?: ComposeRecipientList;
  bcc?: ComposeRecipientList;
  subject?: string;
  body?: string;
  plainTextBody?: string;
  isPlainText?: boolean;
  customHeaders?: CustomHeader[];
  type?: 'draft' | 'new' | 'redirect' | 'reply' | 'forward';
  relatedMessageId?: number;
}

export interface MailFolder {
  id: string;
  accountId?: string;
  name?: string;
  path?: string;
  specialUse?: string[];
}

export interface MessageHeader {
  id: number;
  author: string;
  recipients: string[];
  ccList: string[];
  bccList: string[];
  subject: string;
  date: Date | string;
  headerMessageId: string;
  folder?: MailFolder;
  external?: boolean;
}

export interface MessagePart {
  contentType?: string;
  body?: string;
  headers?: Record<string, string[]>;
  parts?: MessagePart[];
}

export interface MailAccount {
  id: string;
  name: string;
  type: string;
  identities?: { id: string; email: string; name?: string }[];
  rootFolder?: MailFolder & { subFolders?: MailFolder[] };
}

export interface Port {
  name: string;
  sender?: { tab?: Tab; url?: string; id?: string };
  postMessage(message: unknown): void;
  disconnect(): void;
  // Messages between this extension's own pages; each listener declares the shape it handles.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onMessage: Listenable<(message: any, port: Port) => void>;
  onDisconnect: Listenable<(port: Port) => void>;
}

export interface ScriptDetails {
  id: string;
  js?: string[];
  css?: string[];
  runAt?: 'document_start' | 'document_end' | 'document_idle';
}

export interface StorageArea {
  get(keys?: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}

export interface Messenger {
  /** Thunderbird's UI language (the extension's client language for message translation), and _locales. */
  i18n?: { getUILanguage(): string; getMessage?(name: string, substitutions?: string[]): string };
  runtime: {
    readonly id: string;
    connect(info?: { name?: string }): Port;
    onConnect: Listenable<(port: Port) => void>;
    // Messages from this extension's own scripts; each listener declares the shape it handles.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    onMessage: Listenable<(message: any, sender: { tab?: Tab; id?: string }) => Promise<unknown> | void>;
    sendMessage(message: unknown): Promise<unknown>;
    openOptionsPage(): Promise<void>;
    getURL(path: string): string;
  };
  storage: {
    local: StorageArea;
    /** Kept while Thunderbird runs, across the background being suspended and woken. */
    session: StorageArea;
    onChanged: Listenable<(changes: Record<string, { oldValue?: unknown; newValue?: unknown }>, area: string) => void>;
  };
  tabs: {
    query(info: { type?: string | string[]; active?: boolean; windowId?: number; currentWindow?: boolean }): Promise<Tab[]>;
    onRemoved: Listenable<(tabId: number) => void>;
    sendMessage(tabId: number, message: unknown): Promise<unknown>;
    create(props: { url: string; active?: boolean }): Promise<Tab>;
  };
  windows: {
    getAll(info?: { populate?: boolean }): Promise<{ id?: number; focused: boolean; type?: string }[]>;
  };
  compose: {
    getComposeDetails(tabId: number): Promise<ComposeDetails>;
    setComposeDetails(tabId: number, details: ComposeDetails): Promise<void>;
    onAfterSend: Listenable<(tab: Tab, info: { mode: string; error?: string; messages: MessageHeader[] }) => void>;
    onBeforeSend: Listenable<(tab: Tab, details: ComposeDetails) => Promise<{ cancel?: boolean; details?: ComposeDetails } | void>>;
  };
  composeAction: {
    onClicked: Listenable<(tab: Tab) => void>;
    setBadgeText?(details: { text: string; tabId?: number }): Promise<void>;
  };
  messageDisplay: {
    /** Manifest V3 returns a MessageList (getDisplayedMessage is Manifest V2 only). */
    getDisplayedMessages(tabId?: number): Promise<{ id: string | null; messages: MessageHeader[] }>;
    open?(props: { messageId?: number; headerMessageId?: string; location?: 'tab' | 'window'; active?: boolean }): Promise<Tab>;
  };
  messageDisplayAction: {
    setPopup?(details: { popup: string; tabId?: number }): Promise<void>;
  };
  messages: {
    getFull(messageId: number): Promise<MessagePart>;
    query(info: { headerMessageId?: string; folderId?: string }): Promise<{ messages: MessageHeader[] }>;
    import(file: File, folderId: string, properties?: { read?: boolean }): Promise<MessageHeader>;
  };
  folders: {
    query(info: { canAddMessages?: boolean; isVirtual?: boolean; isUnified?: boolean; isTag?: boolean }): Promise<MailFolder[]>;
  };
  accounts: {
    list(includeSubFolders?: boolean): Promise<MailAccount[]>;
  };
  identities?: {
    get(identityId: string): Promise<{ id: string; email: string; name?: string } | null>;
  };
  scripting: {
    executeScript(injection: { target: { tabId: number }; files: string[] }): Promise<unknown[]>;
    insertCSS?(injection: { target: { tabId: number }; files: string[] }): Promise<void>;
    compose: {
      registerScripts(scripts: ScriptDetails[]): Promise<void>;
      getRegisteredScripts(filter?: { ids?: string[] }): Promise<ScriptDetails[]>;
    };
    messageDisplay: {
      registerScripts(scripts: ScriptDetails[]): Promise<void>;
      getRegisteredScripts(filter?: { ids?: string[] }): Promise<ScriptDetails[]>;
    };
  };
  spaces: {
    create(
      name: string,
      tabProperties: string | { url: string },
      button?: { title?: string; defaultIcons?: string; badgeText?: string; badgeBackgroundColor?: string },
    ): Promise<{ id: number; name: string }>;
    query(info?: { name?: string; isSelfOwned?: boolean }): Promise<{ id: number; name: string }[]>;
    update(spaceId: number, button: { badgeText?: string; badgeBackgroundColor?: string; title?: string }): Promise<void>;
    open(spaceId: number, windowId?: number): Promise<Tab>;
  };
  alarms: {
    create(name: string, info: { periodInMinutes?: number; delayInMinutes?: number }): Promise<void> | void;
    get(name: string): Promise<{ name: string } | undefined>;
    onAlarm: Listenable<(alarm: { name: string }) => void>;
  };
  notifications: {
    create(id: string, options: { type: 'basic'; title: string; message: string; iconUrl?: string }): Promise<string>;
    clear(id: string): Promise<boolean>;
    onClicked: Listenable<(id: string) => void>;
  };
}

/** The one message shown in a tab; null for none or a multi-selection summary. */
export async function displayedMessage(m: Messenger, tabId: number): Promise<MessageHeader | null> {
  const list = await m.messageDisplay.getDisplayedMessages(tabId);
  return list.messages.length === 1 ? list.messages[0]! : null;
}

declare global {
  /** Thunderbird's WebExtension API, a global in every extension context (background, pages, scripts). */
  var messenger: Messenger;
}

/** The real API, in an extension context. */
export function realMessenger(): Messenger {
  return globalThis.messenger;
}
