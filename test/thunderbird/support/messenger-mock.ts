/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-this-alias -- test support for Thunderbird's untyped Marionette protocol and messenger API, whose JSON shapes the tests do not type */
/**
 * A `messenger` API mock for unit tests of the extension's logic: in-memory storage with change
 * events, compose tabs with details, displayed messages, imported messages, spaces, notifications
 * and connectable ports. Thunderbird itself is covered by the real-client test.
 */
import type {
  ComposeDetails,
  Listenable,
  MailAccount,
  MessageHeader,
  MessagePart,
  Messenger,
  Port,
  ScriptDetails,
  Tab,
} from '../../../thunderbird-ext/src/messenger.ts';

export class MockEvent<F extends (...args: any[]) => any> implements Listenable<F> {
  readonly listeners = new Set<F>();
  addListener(l: F): void {
    this.listeners.add(l);
  }
  removeListener(l: F): void {
    this.listeners.delete(l);
  }
  hasListener(l: F): boolean {
    return this.listeners.has(l);
  }
  /** Calls every listener and returns what they returned (promises awaited). */
  async fire(...args: Parameters<F>): Promise<Awaited<ReturnType<F>>[]> {
    return Promise.all([...this.listeners].map((l) => l(...args)));
  }
}

/** Two connected ports, like runtime.connect() and the onConnect side; messages are async. */
export function portPair(name: string, sender: Port['sender'] = {}): [Port, Port] {
  type MockPort = Port & { peer?: MockPort; closed: boolean; onMessage: MockEvent<any>; onDisconnect: MockEvent<any> };
  const make = (): MockPort => {
    const port = {
      name,
      sender,
      closed: false,
      onMessage: new MockEvent<(m: any, p: Port) => void>(),
      onDisconnect: new MockEvent<(p: Port) => void>(),
      postMessage(m: unknown) {
        if (port.closed) throw new Error('Attempt to postMessage on disconnected port');
        // Structured clone, like the real thing: no shared object identity across the relay.
        const copy = structuredClone(m);
        setImmediate(() => void port.peer?.onMessage.fire(copy, port.peer));
      },
      disconnect() {
        if (port.closed) return;
        port.closed = true;
        const peer = port.peer!;
        peer.closed = true;
        setImmediate(() => void peer.onDisconnect.fire(peer));
      },
    } as any;
    return port;
  };
  const a = make();
  const b = make();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

export interface SentToTab {
  tabId: number;
  message: any;
}

export class MessengerMock {
  storageData: Record<string, unknown> = {};
  /** storage.session: survives a (simulated) background restart, not a Thunderbird restart. */
  sessionData: Record<string, unknown> = {};
  composeDetails = new Map<number, ComposeDetails>();
  displayed = new Map<number, { header: MessageHeader; full: MessagePart }>();
  sentToTabs: SentToTab[] = [];
  imported: { text: string; folderId: string }[] = [];
  notifications: { id: string; title: string; message: string }[] = [];
  clearedNotifications: string[] = [];
  spaceUpdates: { badgeText?: string }[] = [];
  registered: { compose: ScriptDetails[]; messageDisplay: ScriptDetails[] } = { compose: [], messageDisplay: [] };
  accounts: MailAccount[] = [];
  focused = true;
  alarms = new Set<string>();
  optionsOpened = 0;

  readonly events = {
    storageChanged: new MockEvent<(changes: Record<string, { oldValue?: unknown; newValue?: unknown }>, area: string) => void>(),
    connect: new MockEvent<(port: Port) => void>(),
    message: new MockEvent<(message: any, sender: { id?: string }) => unknown>(),
    tabRemoved: new MockEvent<(tabId: number) => void>(),
    beforeSend: new MockEvent<(tab: Tab, details: ComposeDetails) => unknown>(),
    afterSend: new MockEvent<(tab: Tab, info: any) => void>(),
    composeActionClicked: new MockEvent<(tab: Tab) => void>(),
    alarm: new MockEvent<(alarm: { name: string }) => void>(),
    notificationClicked: new MockEvent<(id: string) => void>(),
  };

  readonly messenger: Messenger;

  constructor() {
    const self = this;
    this.messenger = {
      runtime: {
        id: 'inbox-chat@inbox-chat.example',
        connect(info?: { name?: string }) {
          const [view, bg] = portPair(info?.name ?? '');
          void self.events.connect.fire(bg);
          return view;
        },
        onConnect: this.events.connect,
        onMessage: this.events.message,
        sendMessage: async () => undefined,
        openOptionsPage: async () => {
          self.optionsOpened++;
        },
        getURL: (p: string) => `moz-extension://test-uuid/${p}`,
      },
      storage: {
        local: {
          async get(keys?: string | string[] | null) {
            if (keys === null || keys === undefined) return structuredClone(self.storageData);
            const list = typeof keys === 'string' ? [keys] : keys;
            return Object.fromEntries(list.filter((k) => k in self.storageData).map((k) => [k, structuredClone(self.storageData[k])]));
          },
          async set(items: Record<string, unknown>) {
            const changes: Record<string, { oldValue?: unknown; newValue?: unknown }> = {};
            for (const [k, v] of Object.entries(items)) {
              changes[k] = { oldValue: self.storageData[k], newValue: v };
              self.storageData[k] = structuredClone(v);
            }
            await self.events.storageChanged.fire(changes, 'local');
          },
          async remove(keys: string | string[]) {
            const changes: Record<string, { oldValue?: unknown }> = {};
            for (const k of typeof keys === 'string' ? [keys] : keys) {
              if (!(k in self.storageData)) continue;
              changes[k] = { oldValue: self.storageData[k] };
              delete self.storageData[k];
            }
            if (Object.keys(changes).length) await self.events.storageChanged.fire(changes, 'local');
          },
        },
        session: {
          async get(keys?: string | string[] | null) {
            if (keys === null || keys === undefined) return structuredClone(self.sessionData);
            const list = typeof keys === 'string' ? [keys] : keys;
            return Object.fromEntries(list.filter((k) => k in self.sessionData).map((k) => [k, structuredClone(self.sessionData[k])]));
          },
          async set(items: Record<string, unknown>) {
            for (const [k, v] of Object.entries(items)) self.sessionData[k] = structuredClone(v);
          },
          async remove(keys: string | string[]) {
            for (const k of typeof keys === 'string' ? [keys] : keys) delete self.sessionData[k];
          },
        },
        onChanged: this.events.storageChanged,
      },
      tabs: {
        query: async () => [],
        onRemoved: this.events.tabRemoved,
        async sendMessage(tabId: number, message: unknown) {
          self.sentToTabs.push({ tabId, message });
          return { inserted: true };
        },
        create: async (p: { url: string }) => ({ id: 99, active: true, url: p.url }) as Tab,
      },
      windows: { getAll: async () => [{ id: 1, focused: self.focused }] },
      compose: {
        async getComposeDetails(tabId: number) {
          const d = self.composeDetails.get(tabId);
          if (!d) throw new Error(`no compose tab ${tabId}`);
          return structuredClone(d);
        },
        async setComposeDetails(tabId: number, details: ComposeDetails) {
          self.composeDetails.set(tabId, { ...self.composeDetails.get(tabId), ...details });
        },
        onBeforeSend: this.events.beforeSend,
        onAfterSend: this.events.afterSend,
      },
      composeAction: { onClicked: this.events.composeActionClicked },
      messageDisplay: {
        getDisplayedMessages: async (tabId?: number) => {
          const d = tabId !== undefined ? self.displayed.get(tabId) : undefined;
          return { id: null, messages: d ? [structuredClone(d.header)] : [] };
        },
      },
      messageDisplayAction: {},
      messages: {
        async getFull(messageId: number) {
          for (const d of self.displayed.values()) if (d.header.id === messageId) return structuredClone(d.full);
          throw new Error(`no message ${messageId}`);
        },
        query: async () => ({ messages: [] }),
        async import(file: File, folderId: string) {
          self.imported.push({ text: await file.text(), folderId });
          return { id: 1000 + self.imported.length, headerMessageId: `imported-${self.imported.length}@local` } as MessageHeader;
        },
      },
      folders: { query: async () => [] },
      accounts: { list: async () => structuredClone(self.accounts) },
      identities: { get: async (id: string) => (id === 'id1' ? { id, email: 'Bob@Example.com', name: 'Bob' } : null) },
      scripting: {
        executeScript: async () => [],
        compose: {
          registerScripts: async (s: ScriptDetails[]) => void self.registered.compose.push(...s),
          getRegisteredScripts: async () => self.registered.compose,
        },
        messageDisplay: {
          registerScripts: async (s: ScriptDetails[]) => void self.registered.messageDisplay.push(...s),
          getRegisteredScripts: async () => self.registered.messageDisplay,
        },
      },
      spaces: {
        create: async (name: string) => ({ id: 7, name }),
        query: async () => [],
        update: async (_id: number, b: { badgeText?: string }) => void self.spaceUpdates.push(b),
        open: async () => ({ id: 8, active: true }) as Tab,
      },
      alarms: {
        create: async (name: string) => void self.alarms.add(name),
        get: async (name: string) => (self.alarms.has(name) ? { name } : undefined),
        onAlarm: this.events.alarm,
      },
      notifications: {
        create: async (id: string, o: { title: string; message: string }) => {
          self.notifications.push({ id, title: o.title, message: o.message });
          return id;
        },
        clear: async (id: string) => {
          self.clearedNotifications.push(id);
          return true;
        },
        onClicked: this.events.notificationClicked,
      },
    };
  }
}
