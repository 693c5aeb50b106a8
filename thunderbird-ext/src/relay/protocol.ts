/**
 * What travels over the `runtime.connect` port between a view (message pane, popup, Chats tab)
 * and the background page, which owns the one real socket and the session token.
 * Views never hold the token: relayed REST requests get it added in the background.
 */
import type { TransportEvents, ConnectionStatus } from '../../../ui/src/transport.ts';

export const RELAY_PORT = 'inbox-chat-relay';

export type RelayOp =
  | { op: 'hello' }
  | { op: 'join'; chatId: string; lastSeq: number; reactionsFrom?: number }
  | { op: 'leave'; chatId: string }
  | { op: 'send'; chatId: string; clientId: string; body: string; mentions?: string[] }
  | { op: 'deleteMessage'; chatId: string; seq: number }
  | { op: 'editMessage'; chatId: string; seq: number; body: string }
  | { op: 'react'; chatId: string; seq: number; emoji: string; on: boolean }
  | { op: 'markRead'; chatId: string; seq: number }
  | { op: 'watchChats' }
  | { op: 'history'; chatId: string; query: { before?: number; after?: number; limit?: number } }
  | { op: 'fetch'; method: string; path: string; body?: string }
  | { op: 'openOptions' }
  /** A chat is on screen: keep the background (and its socket) from being suspended. */
  | { op: 'keepAlive' };

export type RelayRequest = { kind: 'call'; id: number } & RelayOp;
export type RelayTyping = { kind: 'typing'; chatId: string; typing: boolean };
/** Whether a person can see the view (its document is visible): the background socket reports "any view visible". */
export type RelayVisibility = { kind: 'visibility'; visible: boolean };
export type ViewToBackground = RelayRequest | RelayTyping | RelayVisibility;

export interface HelloResult {
  status: ConnectionStatus;
  backendUrl: string;
  /** The signed-in address, null when signed out. */
  address: string | null;
}

export interface FetchResult {
  status: number;
  body: string;
}

export type RelayEventName = keyof TransportEvents;
/** One relayed transport event: its name with exactly the payload that event carries. */
export type RelayEvent = { [E in RelayEventName]: { event: E; payload: Parameters<TransportEvents[E]>[0] } }[RelayEventName];

export type BackgroundToView =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: { code: string; message: string } }
  | ({ kind: 'event' } & RelayEvent)
  | { kind: 'session'; address: string | null; backendUrl: string };
