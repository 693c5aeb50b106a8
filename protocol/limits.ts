/**
 * Size limits shared by server and clients. Kept apart from the zod schemas so browser
 * bundles can import these values without pulling in the schema library.
 */
export const LIMITS = {
  /** Characters in one message body. The server may lower this with MAX_MESSAGE_CHARS. */
  messageChars: 4000,
  subjectChars: 500,
  addressChars: 254,
  clientIdChars: 64,
  noteChars: 1000,
  /** The quoted email of a "Reply with IM" chat; longer quotes are cut with a marker. */
  quoteChars: 20_000,
  /** A draft key (per compose window, or per received email for "Reply with IM"). */
  draftKeyChars: 200,
  audience: 200,
  historyPage: 100,
  /** Messages returned by a join's catch-up; beyond this the client pages with history. */
  catchUp: 500,
  /** Characters of a search query, and hits one search returns. */
  searchChars: 200,
  searchHits: 50,
  /** Participants of one call: a mesh, where every browser sends its media to each other one. */
  callParticipants: 4,
  sdpChars: 20_000,
  iceCandidateChars: 1_000,
  /** Characters in a display name. */
  displayNameChars: 64,
  /** Members one message may @mention. */
  mentions: 50,
  /** Different emoji one member may put on one message. */
  reactionsPerMember: 20,
  /** How far back (in seq) a rejoin refreshes the reactions of messages a client already shows. */
  reactionResync: 1000,
} as const;
