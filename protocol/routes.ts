/**
 * The REST route table: every `/api` route once, by name. The server registers exactly these
 * (backend/src/http/routes), the API client builds its requests from them (ui/src/api-client.ts)
 * and the OpenAPI document lists them (protocol/openapi.ts). Their zod schemas live beside the
 * other schemas in index.ts (`routeSchemas`, same names); this half is zod-free so a browser
 * bundle can use it at run time.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  method: HttpMethod;
  /** Under `/api`, in Express syntax (`:name` is a path parameter). */
  path: string;
  /** 'session': needs `Authorization: Bearer <token>`; 'none': the body itself is the proof (or public). */
  auth: 'session' | 'none';
  /** Success status; 204 answers without a body. */
  status: 200 | 201 | 202 | 204;
  summary: string;
}

/** Order matters only among paths that could match one request; Express tries them in this order. */
export const ROUTES = {
  openApi: { method: 'GET', path: '/openapi.json', auth: 'none', status: 200, summary: 'This API as an OpenAPI 3.1 document' },

  // ---- identity ----
  startSignIn: { method: 'POST', path: '/auth/start', auth: 'none', status: 202, summary: 'Mails a sign-in code and link to an address' },
  verifyCode: { method: 'POST', path: '/auth/verify', auth: 'none', status: 200, summary: 'Trades the emailed 6-digit code for a session' },
  verifyLink: {
    method: 'POST',
    path: '/auth/link',
    auth: 'none',
    status: 200,
    summary: "Trades the sign-in link's fragment token for a session",
  },
  signOut: { method: 'POST', path: '/auth/logout', auth: 'session', status: 204, summary: 'Revokes this session and closes its sockets' },
  me: { method: 'GET', path: '/me', auth: 'session', status: 200, summary: 'Who this session signs in as' },
  setDisplayName: {
    method: 'PUT',
    path: '/me/display-name',
    auth: 'session',
    status: 200,
    summary: 'Sets (or, empty, clears) my display name, shown instead of my address',
  },
  setMyLanguage: {
    method: 'PUT',
    path: '/me/language',
    auth: 'session',
    status: 200,
    summary: 'My reading language wherever a chat has no choice of its own (null: do not translate)',
  },

  // ---- email bridge (the link is its own proof, so it comes before anything that needs a session) ----
  redeemLink: {
    method: 'POST',
    path: '/links/redeem',
    auth: 'none',
    status: 200,
    summary: 'Uses up a personal link from an email: a one-chat session, already joined',
  },
  invite: {
    method: 'POST',
    path: '/chats/:chatId/invitations',
    auth: 'session',
    status: 201,
    summary: 'Adds an address to the audience and emails it a one-click invitation',
  },
  delivery: {
    method: 'GET',
    path: '/chats/:chatId/delivery',
    auth: 'session',
    status: 200,
    summary: "Visible members' delivered, emailed and read positions (senders' receipts)",
  },
  sendTranscript: {
    method: 'POST',
    path: '/chats/:chatId/transcript',
    auth: 'session',
    status: 202,
    summary: "Emails the transcript so far to the chat's other members",
  },
  availability: { method: 'GET', path: '/me/availability', auth: 'session', status: 200, summary: 'My do-not-disturb state' },
  setAvailability: { method: 'PUT', path: '/me/availability', auth: 'session', status: 200, summary: 'Turns do-not-disturb on or off' },
  startAddressLink: {
    method: 'POST',
    path: '/me/addresses',
    auth: 'session',
    status: 202,
    summary: 'Emails a code to an address I want to add to my sign-in',
  },
  verifyAddressLink: {
    method: 'POST',
    path: '/me/addresses/verify',
    auth: 'session',
    status: 200,
    summary: 'Adds the address once its code is right',
  },

  // ---- alerts ----
  alerts: { method: 'GET', path: '/me/alerts', auth: 'session', status: 200, summary: 'My alert settings, with do-not-disturb' },
  setAlerts: { method: 'PUT', path: '/me/alerts', auth: 'session', status: 200, summary: 'Changes my alert settings for every device' },
  setChatAlerts: {
    method: 'PUT',
    path: '/chats/:chatId/alerts',
    auth: 'session',
    status: 200,
    summary: 'Mutes a chat, or turns its sound off, for me',
  },

  // ---- chats ----
  listChats: { method: 'GET', path: '/chats', auth: 'session', status: 200, summary: 'My chats, newest activity first' },
  search: {
    method: 'GET',
    path: '/search',
    auth: 'session',
    status: 200,
    summary: 'Searches the subjects, people and messages of my chats (docs/web-app.md, "Search")',
  },
  createChat: {
    method: 'POST',
    path: '/chats',
    auth: 'session',
    status: 201,
    summary: 'Creates a chat (or, for the same draftKey, returns it)',
  },
  chat: { method: 'GET', path: '/chats/:chatId', auth: 'session', status: 200, summary: 'The chat as I may see it' },
  openChat: {
    method: 'POST',
    path: '/chats/:chatId/open',
    auth: 'session',
    status: 200,
    summary: 'Joins (first time) when one of my addresses is in the audience',
  },
  endChat: { method: 'DELETE', path: '/chats/:chatId', auth: 'session', status: 200, summary: 'Ends the chat (owner)' },
  replaceAudience: {
    method: 'PUT',
    path: '/chats/:chatId/audience',
    auth: 'session',
    status: 200,
    summary: "The draft's recipients changed (owner)",
  },
  addToAudience: {
    method: 'POST',
    path: '/chats/:chatId/audience',
    auth: 'session',
    status: 200,
    summary: 'Adds an address to the audience',
  },
  updateMySettings: { method: 'PATCH', path: '/chats/:chatId/me', auth: 'session', status: 200, summary: 'My settings in this chat' },

  // ---- messages ----
  history: { method: 'GET', path: '/chats/:chatId/messages', auth: 'session', status: 200, summary: 'A keyset page of messages by seq' },
  sendMessage: {
    method: 'POST',
    path: '/chats/:chatId/messages',
    auth: 'session',
    status: 201,
    summary: 'Posts; a retry with the same clientId returns the first result',
  },
  deleteMessage: { method: 'DELETE', path: '/chats/:chatId/messages/:seq', auth: 'session', status: 200, summary: 'Tombstones my message' },
  editMessage: {
    method: 'PATCH',
    path: '/chats/:chatId/messages/:seq',
    auth: 'session',
    status: 200,
    summary: "Replaces my message's text (archived chats); answers with the EDIT event every member receives",
  },
  react: {
    method: 'POST',
    path: '/chats/:chatId/messages/:seq/reactions',
    auth: 'session',
    status: 200,
    summary: 'Adds or takes back one of my emoji reactions to a message (archived chats)',
  },
  messageRevisions: {
    method: 'GET',
    path: '/chats/:chatId/messages/:seq/revisions',
    auth: 'session',
    status: 200,
    summary: "An edited message's earlier texts, for its author and the chat owner",
  },
  markRead: { method: 'POST', path: '/chats/:chatId/read', auth: 'session', status: 200, summary: 'Moves my read position' },
  sendAttachment: {
    method: 'POST',
    path: '/chats/:chatId/attachments',
    auth: 'session',
    status: 201,
    summary: 'Posts a fully stored upload (file, image, video) as a message',
  },
  mediaLink: {
    method: 'GET',
    path: '/chats/:chatId/media/:mediaId/link',
    auth: 'session',
    status: 200,
    summary: "A short-lived download link for one of the chat's objects",
  },

  // ---- access requests ----
  requestAccess: {
    method: 'POST',
    path: '/chats/:chatId/access-requests',
    auth: 'session',
    status: 201,
    summary: 'Asks the owner for access',
  },
  accessRequests: {
    method: 'GET',
    path: '/chats/:chatId/access-requests',
    auth: 'session',
    status: 200,
    summary: 'Pending requests (owner)',
  },
  myAccessRequest: {
    method: 'GET',
    path: '/chats/:chatId/access-requests/mine',
    auth: 'session',
    status: 200,
    summary: "My request's state",
  },
  decideAccess: {
    method: 'POST',
    path: '/chats/:chatId/access-requests/:requestId',
    auth: 'session',
    status: 200,
    summary: 'Approves or declines a request (owner)',
  },

  // ---- presence and contacts (docs/security.md, "Presence") ----
  presenceSettings: { method: 'GET', path: '/me/presence', auth: 'session', status: 200, summary: 'Who may see my presence' },
  setPresenceSettings: { method: 'PUT', path: '/me/presence', auth: 'session', status: 200, summary: 'Changes who may see my presence' },
  chatPresence: {
    method: 'GET',
    path: '/chats/:chatId/presence',
    auth: 'session',
    status: 200,
    summary: "Presence of this chat's members who let me see it",
  },
  chatCapabilities: {
    method: 'GET',
    path: '/chats/:chatId/capabilities',
    auth: 'session',
    status: 200,
    summary: "What the clients of this chat's members can do, for those who let me see their presence",
  },
  contacts: {
    method: 'GET',
    path: '/me/contacts',
    auth: 'session',
    status: 200,
    summary: 'My contacts, with presence where they allow it',
  },
  removeContact: {
    method: 'DELETE',
    path: '/me/contacts/:contactId',
    auth: 'session',
    status: 204,
    summary: 'Removes a contact (both ways)',
  },
  blocks: { method: 'GET', path: '/me/blocks', auth: 'session', status: 200, summary: 'Addresses I blocked' },
  block: {
    method: 'POST',
    path: '/me/blocks',
    auth: 'session',
    status: 201,
    summary: 'Blocks an address: it cannot bring me into chats, be my contact or see my presence',
  },
  unblock: { method: 'DELETE', path: '/me/blocks/:address', auth: 'session', status: 200, summary: 'Unblocks an address' },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;

/** The `:name` parameters of an Express path, as a union of their names. */
export type PathParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** The path of route `N` with its parameters filled in (each one URI-encoded). */
export function routePath<N extends RouteName>(
  name: N,
  params: Record<PathParamNames<(typeof ROUTES)[N]['path']>, string | number>,
): string {
  const values: Record<string, string | number> = params;
  return ROUTES[name].path.replace(/:([A-Za-z]+)/g, (_m, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`route ${name} needs the path parameter ${key}`);
    return encodeURIComponent(String(value));
  });
}
