/**
 * This device's side of one call: a mesh of RTCPeerConnections, one per other participant
 * (LIMITS.callParticipants keeps that small), negotiated through the call's signalling events.
 * Of each pair, the participant with the lower handle makes the offer, so two offers never
 * cross. No DOM here: the view gets streams and quality through the callbacks.
 */
import type { CallJoined, CallSignal, CallSignalNotice, CallView, IceServerView } from '../../../protocol/index.ts';
import { t } from '../i18n/index.ts';
import type { CallTransport } from '../transport.ts';
import { assessQuality, type Quality, type StatsEntry } from './call-quality.ts';

/** A path "disconnected" this long is taken as broken: ICE restarts rather than waiting for "failed" (~30 s). */
const RESTART_AFTER_DISCONNECT_MS = 3_000;

interface Peer {
  pc: RTCPeerConnection;
  restartTimer?: ReturnType<typeof setTimeout>;
  /** Candidates that came before the remote description they belong to. */
  pendingIce: RTCIceCandidateInit[];
  lastStats: StatsEntry[] | null;
}

export interface CallSessionOptions {
  calls: CallTransport;
  chatId: string;
  /** My member handle in this chat. */
  me: string;
  joined: CallJoined;
  local: MediaStream;
  onRemote: (handle: string, stream: MediaStream | null) => void;
  onProblem: (message: string) => void;
}

export class CallSession {
  readonly callId: string;
  private readonly peers = new Map<string, Peer>();
  private readonly early = new Map<string, RTCIceCandidateInit[]>();
  private iceServers: IceServerView[];
  private closed = false;

  constructor(private readonly o: CallSessionOptions) {
    this.callId = o.joined.call.id;
    this.iceServers = o.joined.iceServers;
    this.update(o.joined.call);
    if (typeof window !== 'undefined') window.addEventListener('online', this.networkChanged);
  }

  /** Back on a network (Wi-Fi to cable, VPN up): every path this side offers is gathered afresh. */
  private readonly networkChanged = (): void => {
    for (const [handle, peer] of this.peers) if (this.o.me < handle) void this.offer(peer, true);
  };

  get local(): MediaStream {
    return this.o.local;
  }

  /** Participants changed: connect to newcomers (when it is my turn to offer), drop those who left. */
  update(call: CallView): void {
    if (this.closed || call.id !== this.callId) return;
    const others = new Set(call.participants.filter((h) => h !== this.o.me));
    for (const [handle, peer] of this.peers) {
      if (others.has(handle)) continue;
      clearTimeout(peer.restartTimer);
      peer.pc.close();
      this.peers.delete(handle);
      this.o.onRemote(handle, null);
    }
    for (const handle of others) {
      if (!this.peers.has(handle) && this.o.me < handle) void this.offer(this.peer(handle));
    }
  }

  async signal(n: CallSignalNotice): Promise<void> {
    if (this.closed || n.callId !== this.callId) return;
    try {
      await this.apply(n.from, n.signal);
    } catch (err) {
      this.o.onProblem(t('call.connectFailed', { reason: err instanceof Error ? err.message : String(err) }));
    }
  }

  setMuted(muted: boolean): void {
    for (const t of this.o.local.getAudioTracks()) t.enabled = !muted;
  }

  setCameraOff(off: boolean): void {
    for (const t of this.o.local.getVideoTracks()) t.enabled = !off;
  }

  /**
   * Sends another microphone or camera from now on: the new track takes the old one's place in
   * every connection (RTCRtpSender.replaceTrack), so nothing is renegotiated and the others
   * keep receiving on the same stream. Muted or camera-off stays so.
   */
  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<MediaStreamTrack> {
    const old = kind === 'audio' ? this.o.local.getAudioTracks()[0] : this.o.local.getVideoTracks()[0];
    if (old?.getSettings().deviceId === deviceId) return old;
    const fresh = await navigator.mediaDevices.getUserMedia({ [kind]: { deviceId: { exact: deviceId } } });
    const track = kind === 'audio' ? fresh.getAudioTracks()[0] : fresh.getVideoTracks()[0];
    if (!track) throw new Error(t('call.noTrack'));
    if (this.closed) {
      track.stop();
      return track;
    }
    track.enabled = old?.enabled ?? true;
    await Promise.all(
      [...this.peers.values()].map(async ({ pc }) => {
        const sender = pc.getSenders().find((s) => s.track === old || s.track?.kind === kind);
        await sender?.replaceTrack(track);
      }),
    );
    if (old) {
      this.o.local.removeTrack(old);
      old.stop();
    }
    this.o.local.addTrack(track);
    return track;
  }

  /** Quality per participant, from getStats against the previous call of this. */
  async quality(): Promise<Map<string, Quality>> {
    const out = new Map<string, Quality>();
    for (const [handle, peer] of this.peers) {
      const entries: StatsEntry[] = [];
      (await peer.pc.getStats()).forEach((e: StatsEntry) => entries.push(e));
      out.set(handle, assessQuality(entries, peer.lastStats));
      peer.lastStats = entries;
    }
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (typeof window !== 'undefined') window.removeEventListener('online', this.networkChanged);
    for (const peer of this.peers.values()) {
      clearTimeout(peer.restartTimer);
      peer.pc.close();
    }
    this.peers.clear();
    for (const t of this.o.local.getTracks()) t.stop();
  }

  private peer(handle: string): Peer {
    const existing = this.peers.get(handle);
    if (existing) return existing;
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    const peer: Peer = { pc, pendingIce: this.early.get(handle) ?? [], lastStats: null };
    this.early.delete(handle);
    this.peers.set(handle, peer);
    for (const track of this.o.local.getTracks()) pc.addTrack(track, this.o.local);
    pc.onicecandidate = (e) => {
      if (e.candidate?.candidate) void this.send(handle, { kind: 'ice', candidate: candidateOf(e.candidate) });
    };
    pc.ontrack = (e) => this.o.onRemote(handle, e.streams[0] ?? new MediaStream([e.track]));
    pc.onconnectionstatechange = () => {
      // A network change (or a relay gone) breaks the path: the offering side restarts ICE over
      // fresh candidates, at once on "failed", or when "disconnected" does not heal by itself.
      clearTimeout(peer.restartTimer);
      if (this.closed || this.o.me >= handle) return;
      if (pc.connectionState === 'failed') void this.offer(peer, true);
      else if (pc.connectionState === 'disconnected') {
        peer.restartTimer = setTimeout(() => {
          if (pc.connectionState === 'disconnected' || pc.connectionState === 'failed') void this.offer(peer, true);
        }, RESTART_AFTER_DISCONNECT_MS);
      }
    };
    return peer;
  }

  private async offer(peer: Peer, iceRestart = false): Promise<void> {
    const handle = this.handleOf(peer);
    try {
      if (iceRestart) peer.pc.restartIce();
      await peer.pc.setLocalDescription(await peer.pc.createOffer({ iceRestart }));
      await this.send(handle, { kind: 'offer', sdp: peer.pc.localDescription!.sdp });
    } catch (err) {
      if (!this.closed) this.o.onProblem(t('call.offerFailed', { reason: err instanceof Error ? err.message : String(err) }));
    }
  }

  private async apply(from: string, signal: CallSignal): Promise<void> {
    if (signal.kind === 'ice') {
      const peer = this.peers.get(from);
      if (peer?.pc.remoteDescription) await peer.pc.addIceCandidate(signal.candidate);
      else if (peer) peer.pendingIce.push(signal.candidate);
      else this.early.set(from, [...(this.early.get(from) ?? []), signal.candidate]);
      return;
    }
    const peer = this.peer(from);
    await peer.pc.setRemoteDescription({ type: signal.kind, sdp: signal.sdp });
    for (const c of peer.pendingIce.splice(0)) await peer.pc.addIceCandidate(c);
    if (signal.kind === 'offer') {
      await peer.pc.setLocalDescription(await peer.pc.createAnswer());
      await this.send(from, { kind: 'answer', sdp: peer.pc.localDescription!.sdp });
    }
  }

  private handleOf(peer: Peer): string {
    for (const [h, p] of this.peers) if (p === peer) return h;
    return '';
  }

  private async send(to: string, signal: CallSignal): Promise<void> {
    if (this.closed) return;
    await this.o.calls.signal(this.o.chatId, this.callId, to, signal).catch((err: unknown) => {
      if (!this.closed) this.o.onProblem(err instanceof Error ? err.message : t('call.unreachable'));
    });
  }
}

function candidateOf(c: RTCIceCandidate): Extract<CallSignal, { kind: 'ice' }>['candidate'] {
  return { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex, usernameFragment: c.usernameFragment };
}

/** Microphone, and camera for a video call; without a camera, the call goes on with audio only. */
export async function localMedia(video: boolean): Promise<MediaStream> {
  if (video) {
    try {
      return await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    } catch {
      // No camera (or it was refused): audio only, as the capabilities allow.
    }
  }
  return navigator.mediaDevices.getUserMedia({ audio: true });
}
