/**
 * Typed REST client shared by the web page, the Outlook panes and the Thunderbird views.
 * Types come from the protocol module as types only, so no schema library ships to a browser.
 */
import type {
  AccessDecision,
  AccessRequestView,
  AddressLinkStarted,
  AlertSettingsBody,
  AlertsView,
  AudienceInput,
  AvailabilityBody,
  AvailabilityView,
  ChatAlertsBody,
  ChatAlertsView,
  BlocksView,
  ChatCapabilitiesView,
  ChatPresenceView,
  ChatSummary,
  ContactsView,
  ChatView,
  CreateChatBody,
  DeliveryView,
  ErrorBody,
  HistoryPage,
  HistoryQuery,
  IdentityView,
  LinkRedeemed,
  MeView,
  MessageReactions,
  MessageRevisionView,
  MessageView,
  PathParamNames,
  PresenceSettingsView,
  PresenceVisibility,
  RouteBody,
  MyLanguageView,
  RouteName,
  RouteQuery,
  RouteResponse,
  SendAttachmentBody,
  SessionView,
  TranscriptSent,
  VerificationStarted,
  SearchHit,
} from '../../protocol/index.ts';
import { ApiError } from '../../protocol/api-error.ts';
// The zod-free half of the route table: method and path at run time, without the schema library.
import { ROUTES, routePath } from '../../protocol/routes.ts';

export type { MeView };

/** What one request to route N carries; each part only where the route has it. */
type RequestParts<N extends RouteName> = ([PathParamNames<(typeof ROUTES)[N]['path']>] extends [never]
  ? { params?: undefined }
  : { params: Record<PathParamNames<(typeof ROUTES)[N]['path']>, string | number> }) &
  (RouteBody<N> extends undefined ? { body?: undefined } : { body: RouteBody<N> }) &
  (RouteQuery<N> extends undefined ? { query?: undefined } : { query?: RouteQuery<N> });

export { ApiError };

export interface ApiClientOptions {
  /** Origin of the server, e.g. "https://chat.example.com"; '' means the page's own origin. */
  baseUrl: string;
  getToken: () => string | null | undefined;
  fetch?: typeof fetch;
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly getToken: () => string | null | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: ApiClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/$/, '');
    this.getToken = opts.getToken;
    this.fetchImpl = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  // ---- identity ----
  startSignIn(address: string, chatId?: string): Promise<VerificationStarted> {
    return this.request('startSignIn', { body: chatId ? { address, chatId } : { address } });
  }
  verifyCode(verificationId: string, code: string, label?: string): Promise<SessionView> {
    return this.request('verifyCode', { body: { verificationId, code, ...(label ? { label } : {}) } });
  }
  verifyLink(token: string, label?: string): Promise<SessionView> {
    return this.request('verifyLink', { body: { token, ...(label ? { label } : {}) } });
  }
  signOut(): Promise<void> {
    return this.request('signOut', {});
  }
  me(): Promise<MeView> {
    return this.request('me', {});
  }
  /** An empty name clears it. */
  setDisplayName(displayName: string): Promise<MeView> {
    return this.request('setDisplayName', { body: { displayName } });
  }

  // ---- chats ----
  async listChats(): Promise<ChatSummary[]> {
    return (await this.request('listChats', {})).chats;
  }
  /** Subjects, people and messages of my chats, with the matched ranges to highlight. */
  async search(q: string): Promise<SearchHit[]> {
    return (await this.request('search', { query: { q } })).hits;
  }
  createChat(body: CreateChatBody): Promise<ChatView> {
    return this.request('createChat', { body });
  }
  chat(chatId: string): Promise<ChatView> {
    return this.request('chat', { params: { chatId } });
  }
  /** Joins the chat when one of my addresses is in its audience; NOT_IN_AUDIENCE otherwise. */
  openChat(chatId: string): Promise<ChatView> {
    return this.request('openChat', { params: { chatId } });
  }
  endChat(chatId: string): Promise<ChatView> {
    return this.request('endChat', { params: { chatId } });
  }
  replaceAudience(chatId: string, audience: AudienceInput): Promise<ChatView> {
    return this.request('replaceAudience', { params: { chatId }, body: { audience } });
  }
  addToAudience(chatId: string, address: string): Promise<ChatView> {
    return this.request('addToAudience', { params: { chatId }, body: { address } });
  }
  updateMySettings(chatId: string, settings: RouteBody<'updateMySettings'>): Promise<ChatView> {
    return this.request('updateMySettings', { params: { chatId }, body: settings });
  }

  // ---- messages ----
  history(chatId: string, query: HistoryQuery = {}): Promise<HistoryPage> {
    return this.request('history', { params: { chatId }, query });
  }
  sendMessage(chatId: string, clientId: string, body: string, mentions: string[] = []): Promise<MessageView> {
    return this.request('sendMessage', { params: { chatId }, body: { clientId, body, mentions } });
  }
  deleteMessage(chatId: string, seq: number): Promise<MessageView> {
    return this.request('deleteMessage', { params: { chatId, seq } });
  }
  editMessage(chatId: string, seq: number, body: string): Promise<MessageView> {
    return this.request('editMessage', { params: { chatId, seq }, body: { body } });
  }
  react(chatId: string, seq: number, emoji: string, on: boolean): Promise<MessageReactions> {
    return this.request('react', { params: { chatId, seq }, body: { emoji, on } });
  }
  /** An edited message's earlier texts (its author and the chat owner only). */
  async messageRevisions(chatId: string, seq: number): Promise<MessageRevisionView[]> {
    return (await this.request('messageRevisions', { params: { chatId, seq } })).revisions;
  }
  async markRead(chatId: string, seq: number): Promise<number> {
    return (await this.request('markRead', { params: { chatId }, body: { seq } })).lastReadSeq;
  }

  // ---- media (uploads themselves speak tus: chat-panel/media-upload.ts) ----
  /** Posts a fully stored upload as a message. */
  sendAttachment(chatId: string, body: SendAttachmentBody): Promise<MessageView> {
    return this.request('sendAttachment', { params: { chatId }, body });
  }
  /** An absolute, short-lived URL for one of the chat's objects (for img, video and download links). */
  async mediaUrl(chatId: string, mediaId: string): Promise<string> {
    return `${this.baseUrl}${(await this.request('mediaLink', { params: { chatId, mediaId } })).url}`;
  }
  /** Where this client's server is, and its session, for protocols beside the JSON API (tus uploads). */
  get server(): { baseUrl: string; token: string | null | undefined } {
    return { baseUrl: this.baseUrl, token: this.getToken() };
  }

  // ---- access requests ----
  requestAccess(chatId: string, note = ''): Promise<AccessRequestView> {
    return this.request('requestAccess', { params: { chatId }, body: { note } });
  }
  async accessRequests(chatId: string): Promise<AccessRequestView[]> {
    return (await this.request('accessRequests', { params: { chatId } })).requests;
  }
  async myAccessRequest(chatId: string): Promise<AccessRequestView | null> {
    return (await this.request('myAccessRequest', { params: { chatId } })).request;
  }
  decideAccess(chatId: string, requestId: string, decision: AccessDecision): Promise<AccessRequestView> {
    return this.request('decideAccess', { params: { chatId, requestId }, body: { decision } });
  }

  // ---- email bridge ----
  /** Uses up a personal link from an email (`/c/<id>#link=<token>`): a one-chat session, already joined. */
  redeemLink(token: string, label?: string): Promise<LinkRedeemed> {
    return this.request('redeemLink', { body: { token, ...(label ? { label } : {}) } });
  }
  /** Adds the address to the chat and emails it a one-click invitation. */
  invite(chatId: string, address: string): Promise<ChatView> {
    return this.request('invite', { params: { chatId }, body: { address } });
  }
  /** Every visible member's delivered, emailed and read positions (senders' receipts). */
  delivery(chatId: string): Promise<DeliveryView> {
    return this.request('delivery', { params: { chatId } });
  }
  /** Emails the transcript so far to the chat's other members. */
  sendTranscript(chatId: string): Promise<TranscriptSent> {
    return this.request('sendTranscript', { params: { chatId }, body: {} });
  }
  /** My reading language wherever a chat has none of its own (null: messages as written). */
  setMyLanguage(language: string | null): Promise<MyLanguageView> {
    return this.request('setMyLanguage', { body: { language } });
  }

  availability(): Promise<AvailabilityView> {
    return this.request('availability', {});
  }
  setAvailability(body: AvailabilityBody): Promise<AvailabilityView> {
    return this.request('setAvailability', { body });
  }
  /** Emails a code to an address I want to add to my sign-in. */
  startAddressLink(address: string): Promise<AddressLinkStarted> {
    return this.request('startAddressLink', { body: { address } });
  }
  verifyAddressLink(linkId: string, code: string): Promise<IdentityView> {
    return this.request('verifyAddressLink', { body: { linkId, code } });
  }

  /** My alert settings (every device follows them) and whether do-not-disturb is on. */
  alerts(): Promise<AlertsView> {
    return this.request('alerts', {});
  }
  setAlerts(body: AlertSettingsBody): Promise<AlertsView> {
    return this.request('setAlerts', { body });
  }
  /** Mutes one chat, or turns its sound off, for me. */
  setChatAlerts(chatId: string, body: ChatAlertsBody): Promise<ChatAlertsView> {
    return this.request('setChatAlerts', { params: { chatId }, body });
  }
  // ---- presence and contacts ----
  presenceSettings(): Promise<PresenceSettingsView> {
    return this.request('presenceSettings', {});
  }
  setPresenceSettings(visibility: PresenceVisibility): Promise<PresenceSettingsView> {
    return this.request('setPresenceSettings', { body: { visibility } });
  }
  /** Presence of the chat's members who let me see it. */
  chatPresence(chatId: string): Promise<ChatPresenceView> {
    return this.request('chatPresence', { params: { chatId } });
  }
  /** What the clients of the chat's members who let me see their presence can do. */
  chatCapabilities(chatId: string): Promise<ChatCapabilitiesView> {
    return this.request('chatCapabilities', { params: { chatId } });
  }
  contacts(): Promise<ContactsView> {
    return this.request('contacts', {});
  }
  removeContact(contactId: string): Promise<void> {
    return this.request('removeContact', { params: { contactId } });
  }
  blocks(): Promise<BlocksView> {
    return this.request('blocks', {});
  }
  block(address: string): Promise<BlocksView> {
    return this.request('block', { body: { address } });
  }
  unblock(address: string): Promise<BlocksView> {
    return this.request('unblock', { params: { address } });
  }

  /** One call of route N of the table: its method, its path with `params` filled in, its body and query. */
  private request<N extends RouteName>(name: N, parts: RequestParts<N>): Promise<RouteResponse<N>> {
    const { params, query, body }: { params?: Record<string, string | number>; query?: unknown; body?: unknown } = parts;
    // Built by hand: classic Outlook's event runtime, which loads this client, has no URLSearchParams.
    const pairs: string[] = [];
    if (typeof query === 'object' && query !== null) {
      for (const [k, v] of Object.entries(query))
        if (v !== undefined) pairs.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
    }
    const qs = pairs.join('&');
    const path = `/api${params ? routePath(name, params) : ROUTES[name].path}${qs ? `?${qs}` : ''}`;
    return this.call(ROUTES[name].method, path, body);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const token = this.getToken();
    // Called unbound: a window's fetch throws "Illegal invocation" when called as a method of another object.
    const doFetch = this.fetchImpl;
    let res: Response;
    try {
      res = await doFetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError('NETWORK', 0, 'Cannot reach the server; check your connection and try again');
    }
    if (res.status === 204) return undefined as T;
    const parsed: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const error = (parsed as Partial<ErrorBody> | null)?.error;
      throw new ApiError(
        error?.code ?? `HTTP_${res.status}`,
        res.status,
        error?.message ?? `The server answered ${res.status}`,
        error?.details ?? {},
      );
    }
    return parsed as T;
  }
}
