/**
 * Typed REST client shared by the web page, the Outlook panes and the Thunderbird views.
 * Types come from the protocol module as types only, so no schema library ships to a browser.
 */
import type {
  AccessDecision,
  AccessRequestView,
  AddressLinkStarted,
  AudienceInput,
  AvailabilityBody,
  AvailabilityView,
  ChatSummary,
  ChatView,
  CreateChatBody,
  DeliveryView,
  ErrorBody,
  HistoryPage,
  HistoryQuery,
  IdentityView,
  LinkRedeemed,
  MessageView,
  SessionView,
  TranscriptSent,
  VerificationStarted,
} from '../../protocol/index.ts';

export interface MeView {
  id: string;
  addresses: string[];
  /** Set when this session only opens one chat (a magic link landing). */
  chatId: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  /** Origin of the server, e.g. "https://chat.example.com"; '' means the page's own origin. */
  baseUrl: string;
  getToken: () => string | null | undefined;
  fetch?: typeof fetch;
}

const seg = encodeURIComponent;

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
    return this.call('POST', '/api/auth/start', chatId ? { address, chatId } : { address });
  }
  verifyCode(verificationId: string, code: string, label?: string): Promise<SessionView> {
    return this.call('POST', '/api/auth/verify', { verificationId, code, ...(label ? { label } : {}) });
  }
  verifyLink(token: string, label?: string): Promise<SessionView> {
    return this.call('POST', '/api/auth/link', { token, ...(label ? { label } : {}) });
  }
  signOut(): Promise<void> {
    return this.call('POST', '/api/auth/logout');
  }
  me(): Promise<MeView> {
    return this.call('GET', '/api/me');
  }

  // ---- chats ----
  async listChats(): Promise<ChatSummary[]> {
    return (await this.call<{ chats: ChatSummary[] }>('GET', '/api/chats')).chats;
  }
  createChat(body: CreateChatBody): Promise<ChatView> {
    return this.call('POST', '/api/chats', body);
  }
  chat(chatId: string): Promise<ChatView> {
    return this.call('GET', `/api/chats/${seg(chatId)}`);
  }
  /** Joins the chat when one of my addresses is in its audience; NOT_IN_AUDIENCE otherwise. */
  openChat(chatId: string): Promise<ChatView> {
    return this.call('POST', `/api/chats/${seg(chatId)}/open`);
  }
  endChat(chatId: string): Promise<ChatView> {
    return this.call('DELETE', `/api/chats/${seg(chatId)}`);
  }
  replaceAudience(chatId: string, audience: AudienceInput): Promise<ChatView> {
    return this.call('PUT', `/api/chats/${seg(chatId)}/audience`, { audience });
  }
  addToAudience(chatId: string, address: string): Promise<ChatView> {
    return this.call('POST', `/api/chats/${seg(chatId)}/audience`, { address });
  }
  updateMySettings(chatId: string, settings: { emailNotify?: boolean; language?: string }): Promise<ChatView> {
    return this.call('PATCH', `/api/chats/${seg(chatId)}/me`, settings);
  }

  // ---- messages ----
  history(chatId: string, query: HistoryQuery = {}): Promise<HistoryPage> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString();
    return this.call('GET', `/api/chats/${seg(chatId)}/messages${qs ? `?${qs}` : ''}`);
  }
  sendMessage(chatId: string, clientId: string, body: string): Promise<MessageView> {
    return this.call('POST', `/api/chats/${seg(chatId)}/messages`, { clientId, body });
  }
  deleteMessage(chatId: string, seq: number): Promise<MessageView> {
    return this.call('DELETE', `/api/chats/${seg(chatId)}/messages/${seq}`);
  }
  async markRead(chatId: string, seq: number): Promise<number> {
    return (await this.call<{ lastReadSeq: number }>('POST', `/api/chats/${seg(chatId)}/read`, { seq })).lastReadSeq;
  }

  // ---- access requests ----
  requestAccess(chatId: string, note = ''): Promise<AccessRequestView> {
    return this.call('POST', `/api/chats/${seg(chatId)}/access-requests`, { note });
  }
  async accessRequests(chatId: string): Promise<AccessRequestView[]> {
    return (await this.call<{ requests: AccessRequestView[] }>('GET', `/api/chats/${seg(chatId)}/access-requests`))
      .requests;
  }
  async myAccessRequest(chatId: string): Promise<AccessRequestView | null> {
    return (
      await this.call<{ request: AccessRequestView | null }>('GET', `/api/chats/${seg(chatId)}/access-requests/mine`)
    ).request;
  }
  decideAccess(chatId: string, requestId: string, decision: AccessDecision): Promise<AccessRequestView> {
    return this.call('POST', `/api/chats/${seg(chatId)}/access-requests/${seg(requestId)}`, { decision });
  }

  // ---- email bridge ----
  /** Uses up a personal link from an email (`/c/<id>#link=<token>`): a one-chat session, already joined. */
  redeemLink(token: string, label?: string): Promise<LinkRedeemed> {
    return this.call('POST', '/api/links/redeem', { token, ...(label ? { label } : {}) });
  }
  /** Adds the address to the chat and emails it a one-click invitation. */
  invite(chatId: string, address: string): Promise<ChatView> {
    return this.call('POST', `/api/chats/${seg(chatId)}/invitations`, { address });
  }
  /** Every visible member's delivered, emailed and read positions (senders' receipts). */
  delivery(chatId: string): Promise<DeliveryView> {
    return this.call('GET', `/api/chats/${seg(chatId)}/delivery`);
  }
  /** Emails the transcript so far to the chat's other members. */
  sendTranscript(chatId: string): Promise<TranscriptSent> {
    return this.call('POST', `/api/chats/${seg(chatId)}/transcript`, {});
  }
  availability(): Promise<AvailabilityView> {
    return this.call('GET', '/api/me/availability');
  }
  setAvailability(body: AvailabilityBody): Promise<AvailabilityView> {
    return this.call('PUT', '/api/me/availability', body);
  }
  /** Emails a code to an address I want to add to my sign-in. */
  startAddressLink(address: string): Promise<AddressLinkStarted> {
    return this.call('POST', '/api/me/addresses', { address });
  }
  verifyAddressLink(linkId: string, code: string): Promise<IdentityView> {
    return this.call('POST', '/api/me/addresses/verify', { linkId, code });
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
