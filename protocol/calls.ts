/**
 * Calls (docs/calls.md): the signalling events of live audio/video calls, carried over the
 * chat's Socket.IO connection. Media never touches the server: browsers exchange WebRTC offers,
 * answers and ICE candidates through these events and send audio and video to each other
 * directly or through the TURN relay named in `iceServers`.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { UUID_PATTERN } from './patterns.ts';

const uuid = z.string().regex(new RegExp(`^${UUID_PATTERN}$`), 'Invalid UUID');
/** A member's per-chat handle (never an identity id), as every chat-scoped event names members. */
const handle = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a member handle');

export const callMediaSchema = z.enum(['audio', 'video']);
export type CallMedia = z.infer<typeof callMediaSchema>;

export const callStartEvent = z.strictObject({ chatId: uuid, media: callMediaSchema });
/** Accept (also: rejoin after a drop), decline, leave (hang up): the call is named by chat and id. */
export const callRefEvent = z.strictObject({ chatId: uuid, callId: uuid });

/** An SDP blob: CR LF separated lines, nothing else of the control range. */
const sdp = z
  .string()
  .min(1)
  .max(LIMITS.sdpChars)
  // An SDP is a CRLF separated list of lines; every other control character is refused.
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s), 'control characters are not allowed in an SDP');

const iceCandidate = z.strictObject({
  candidate: z.string().max(LIMITS.iceCandidateChars),
  sdpMid: z.string().max(64).nullable(),
  sdpMLineIndex: z.number().int().min(0).max(64).nullable(),
  usernameFragment: z.string().max(256).nullable().optional(),
});

/** What one participant's browser hands another: an offer, an answer or an ICE candidate. */
export const callSignalSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('offer'), sdp }),
  z.strictObject({ kind: z.literal('answer'), sdp }),
  z.strictObject({ kind: z.literal('ice'), candidate: iceCandidate }),
]);
export type CallSignal = z.infer<typeof callSignalSchema>;

/** Sent by a participant to one other participant of the same call (`to`: their handle). */
export const callSignalEvent = z.strictObject({ chatId: uuid, callId: uuid, to: handle, signal: callSignalSchema });

/** An RTCIceServer with short-lived TURN credentials (the TURN REST API scheme), for this member and call. */
export interface IceServerView {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface CallView {
  id: string;
  chatId: string;
  media: CallMedia;
  /** The caller's member handle. */
  callerId: string;
  /** Handles of those in the call now, in the order they joined. */
  participants: string[];
  state: 'ringing' | 'active' | 'ended';
  startedAt: string;
  /** Ringing stops at this time when nobody has answered: the call is then missed. */
  ringUntil: string;
}

/** What a participant needs to join the media: the call, and TURN/STUN servers with its own credentials. */
export interface CallJoined {
  call: CallView;
  iceServers: IceServerView[];
  /** The credentials expire then; a client asks again (accept) before restarting ICE after it. */
  iceExpiresAt: string | null;
}

/** To each device of a member being rung: who calls, from which chat. */
export interface CallRing {
  call: CallView;
  subject: string;
  callerAddress: string;
}

export interface CallSignalNotice {
  chatId: string;
  callId: string;
  /** The sender's member handle. */
  from: string;
  signal: CallSignal;
}
