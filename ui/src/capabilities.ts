/**
 * What this client can do, as the `capabilities` event reports it (docs/media.md, "Capabilities"),
 * and the recording plan a sender derives from every member's report. Detection never prompts:
 * enumerateDevices lists device kinds without permission (labels stay empty, which is all we need).
 */
import type {
  AudienceView,
  ChatCapabilitiesView,
  ChatView,
  ClientCapabilities,
  ClientKind,
  MemberView,
  VideoFormat,
} from '../../protocol/index.ts';

/** Each format as MediaRecorder and canPlayType name it, in the order a recorder prefers them. */
export const VIDEO_MIME: Record<VideoFormat, string> = {
  'webm-vp8': 'video/webm;codecs=vp8,opus',
  'webm-vp9': 'video/webm;codecs=vp9,opus',
  'mp4-h264': 'video/mp4;codecs=avc1.42E01E,mp4a.40.2',
};
const FORMATS = Object.keys(VIDEO_MIME) as VideoFormat[];

export const FORMAT_LABEL: Record<VideoFormat, string> = { 'webm-vp8': 'WebM (VP8)', 'webm-vp9': 'WebM (VP9)', 'mp4-h264': 'MP4 (H.264)' };

export async function detectCapabilities(kind: ClientKind): Promise<ClientCapabilities> {
  const devices = await listDeviceKinds();
  const probe = typeof document === 'undefined' ? null : document.createElement('video');
  const recorder = typeof MediaRecorder === 'undefined' ? null : MediaRecorder;
  return {
    kind,
    camera: devices.has('videoinput'),
    microphone: devices.has('audioinput'),
    plays: FORMATS.filter((f) => probe?.canPlayType(VIDEO_MIME[f]) === 'probably'),
    records: FORMATS.filter((f) => recorder?.isTypeSupported(VIDEO_MIME[f]) ?? false),
    notifications: typeof Notification !== 'undefined' && Notification.permission !== 'denied',
  };
}

async function listDeviceKinds(): Promise<Set<string>> {
  try {
    return new Set((await navigator.mediaDevices.enumerateDevices()).map((d) => d.kind));
  } catch {
    // No mediaDevices (an insecure origin, a host that withholds them): nothing present.
    return new Set();
  }
}

export interface RecordingPlan {
  /** The format to record in; null when this client records none of them. */
  format: VideoFormat | null;
  /** Members whose client cannot play that format: their player is replaced by a link to the chat page. */
  linkInstead: string[];
  /** Audience entries and members who never connected a client: they read by email (a link to watch). */
  emailOnly: string[];
  /** Members whose presence (and so client) I may not see. */
  unknown: number;
}

/**
 * The format every known member's client plays, among those this client records; when none
 * suits everyone, the one the most of them play, naming those who will get a link instead.
 */
export function planRecording(
  records: VideoFormat[],
  chat: {
    members: Pick<MemberView, 'identityId' | 'address'>[];
    audience: Pick<AudienceView, 'address' | 'joined'>[];
    me: Pick<ChatView['me'], 'identityId'>;
  },
  view: Pick<ChatCapabilitiesView, 'members'>,
): RecordingPlan {
  const others = chat.members.filter((m) => m.identityId !== chat.me.identityId);
  const reports = new Map(view.members.map((m) => [m.identityId, m.client]));
  const players = others.flatMap((m) => {
    const client = reports.get(m.identityId);
    return client ? [{ address: m.address, plays: client.plays }] : [];
  });
  const cannotPlay = (f: VideoFormat) => players.filter((p) => !p.plays.includes(f)).map((p) => p.address);
  let format: VideoFormat | null = null;
  for (const f of records) if (format === null || cannotPlay(f).length < cannotPlay(format).length) format = f;
  const neverConnected = others.filter((m) => reports.has(m.identityId) && reports.get(m.identityId) === null).map((m) => m.address);
  const notJoined = chat.audience.filter((a) => !a.joined).map((a) => a.address);
  return {
    format,
    linkInstead: format ? cannotPlay(format) : players.map((p) => p.address),
    emailOnly: [...neverConnected, ...notJoined],
    unknown: others.filter((m) => !reports.has(m.identityId)).length,
  };
}
