/**
 * The call bar of the chat panel: Call / Video call (or Join when a call is going on), the
 * ringing prompt with who calls from which chat, and, in a call, the videos, mute, camera off,
 * hang up and each participant's connection quality. Where the transport cannot carry calls
 * (Thunderbird's message pane), the buttons open the call on the web page instead.
 */
import type { CallJoined, CallRing, CallSignalNotice, CallView, ChatView } from '../../../protocol/index.ts';
import { el } from '../dom.ts';
import { say, sayAsIs, t, tx } from '../i18n/index.ts';
import type { CallTransport } from '../transport.ts';
import { qualityLabel } from './call-quality.ts';
import { createCallDevices } from './call-devices.ts';
import { ringText } from './call-ring-text.ts';
import { CallSession, localMedia } from './call-session.ts';
import { RingTone } from './ring-tone.ts';

export interface CallBarOptions {
  chatId: string;
  calls?: CallTransport;
  /** Where a surface without calls sends people to call: the chat on the web page. */
  webPageUrl?: string;
  onProblem: (message: string) => void;
  /** Whether a ring in this chat may sound (the person's alert settings); without it, it does. */
  ringTone?: () => Promise<boolean>;
}

export interface CallBar {
  root: HTMLElement;
  chat(chat: ChatView): void;
  /** The call going on in the chat when the panel (re)joined it. */
  current(call: CallView | null): void;
  ring(r: CallRing): void;
  updated(call: CallView): void;
  signal(n: CallSignalNotice): void;
  destroy(): void;
}

const QUALITY_EVERY_MS = 2_000;

export function createCallBar(opts: CallBarOptions): CallBar {
  const { chatId, calls } = opts;
  let chat: ChatView | null = null;
  let call: CallView | null = null;
  let session: CallSession | null = null;
  /** Signals for the call being joined, arriving before its answer does. */
  let early: CallSignalNotice[] = [];
  let ringing: CallRing | null = null;
  let ringTimer: ReturnType<typeof setTimeout> | undefined;
  let qualityTimer: ReturnType<typeof setInterval> | undefined;
  let busy = false;
  const tone = new RingTone();
  const remotes = new Map<string, HTMLElement>();

  const status = el('p', { class: 'ic-call-status', role: 'status', 'aria-live': 'polite' });
  const audioButton = el('button', { type: 'button', class: 'ic-button', ...tx('call.audio') });
  const videoButton = el('button', { type: 'button', class: 'ic-button', ...tx('call.video') });
  const joinButton = el('button', { type: 'button', class: 'ic-button', ...tx('call.join'), hidden: true });
  const webLink = el('a', { class: 'ic-button', ...tx('call.onWebPage'), target: '_blank', rel: 'noopener', hidden: true });
  const idle = el('div', { class: 'ic-call-row' }, audioButton, videoButton, joinButton, webLink);

  const ringLine = el('p', { class: 'ic-call-ring-text' });
  const acceptButton = el('button', { type: 'button', class: 'ic-button ic-primary', ...tx('call.accept') });
  const declineButton = el('button', { type: 'button', class: 'ic-button', ...tx('call.decline') });
  const ringBox = el(
    'div',
    { class: 'ic-call-ring', role: 'alert', hidden: true },
    ringLine,
    el('div', { class: 'ic-call-row' }, acceptButton, declineButton),
  );

  const localVideo = el('video', { class: 'ic-call-local', ...tx({ 'aria-label': 'call.yourCamera' }) });
  localVideo.muted = true;
  localVideo.autoplay = true;
  localVideo.playsInline = true;
  const localTile = el('figure', { class: 'ic-call-tile ic-call-me' }, localVideo, el('figcaption', tx('call.you')));
  const grid = el('div', { class: 'ic-call-grid' }, localTile);
  const muteButton = el('button', { type: 'button', class: 'ic-button', 'aria-pressed': 'false', ...tx('call.mute') });
  const cameraButton = el('button', { type: 'button', class: 'ic-button', 'aria-pressed': 'false', ...tx('call.cameraOff') });
  const hangUpButton = el('button', { type: 'button', class: 'ic-button ic-danger', ...tx('call.hangUp') });
  const devices = createCallDevices(async (kind, deviceId) => {
    if (!session) return;
    try {
      await session.switchDevice(kind, deviceId);
      // The same stream with its new track: shown afresh so the preview follows the new camera.
      localVideo.srcObject = session.local;
    } catch (err) {
      opts.onProblem(t('call.deviceFailed', { reason: err instanceof Error ? err.message : String(err) }));
    }
  });
  const inCall = el(
    'div',
    { class: 'ic-call-live', hidden: true },
    grid,
    el('div', { class: 'ic-call-row' }, muteButton, cameraButton, hangUpButton),
    devices.root,
  );

  const root = el('section', { class: 'ic-call', ...tx({ 'aria-label': 'call.label' }) }, idle, ringBox, inCall, status);

  const me = () => chat?.me.identityId ?? '';
  const nameOf = (handle: string) => chat?.members.find((m) => m.identityId === handle)?.address ?? t('common.someone');

  function render(): void {
    const live = !!call && call.state !== 'ended';
    const inIt = !!session;
    idle.hidden = inIt || !!ringing;
    const canCall = !!calls && !!chat && !chat.endedAt;
    audioButton.hidden = videoButton.hidden = !calls || live;
    audioButton.disabled = videoButton.disabled = !canCall || busy;
    joinButton.hidden = !calls || !live || inIt;
    joinButton.disabled = busy;
    webLink.hidden = !!calls || !opts.webPageUrl || !chat || !!chat.endedAt;
    if (opts.webPageUrl) webLink.href = opts.webPageUrl;
    ringBox.hidden = !ringing || inIt;
    inCall.hidden = !inIt;
    if (inIt && call) {
      const others = call.participants.filter((h) => h !== me()).map(nameOf);
      if (others.length) say(status, 'call.inCallWith', { names: others.join(', ') });
      else say(status, 'call.calling');
    } else if (live && call) {
      say(status, 'call.goingOn', { count: call.participants.length });
    } else sayAsIs(status, '');
  }

  function stopRinging(): void {
    ringing = null;
    clearTimeout(ringTimer);
    tone.stop();
  }

  async function enter(media: 'audio' | 'video', join: () => Promise<CallJoined>): Promise<void> {
    if (!calls || busy || session) return;
    busy = true;
    render();
    let local: MediaStream | null = null;
    try {
      // Devices first: joining announces me to the others, who then connect at once.
      local = await localMedia(media === 'video');
      const joined = await join();
      stopRinging();
      call = joined.call;
      session = new CallSession({
        calls,
        chatId,
        me: me(),
        joined,
        local,
        onRemote: showRemote,
        onProblem: opts.onProblem,
      });
      localVideo.srcObject = local;
      localTile.hidden = local.getVideoTracks().length === 0;
      cameraButton.hidden = local.getVideoTracks().length === 0;
      const held = early.filter((n) => n.callId === joined.call.id);
      early = [];
      for (const n of held) await session.signal(n);
      qualityTimer = setInterval(() => void showQuality(), QUALITY_EVERY_MS);
      void devices.show(local);
    } catch (err) {
      for (const t of local?.getTracks() ?? []) t.stop();
      opts.onProblem(err instanceof Error ? t('call.joinFailed', { reason: err.message }) : t('call.joinFailedPlain'));
    } finally {
      busy = false;
      render();
    }
  }

  function showRemote(handle: string, stream: MediaStream | null): void {
    let tile = remotes.get(handle);
    if (!stream) {
      tile?.remove();
      remotes.delete(handle);
      return;
    }
    if (!tile) {
      const video = el('video', { class: 'ic-call-remote' });
      video.autoplay = true;
      video.playsInline = true;
      tile = el(
        'figure',
        { class: 'ic-call-tile', 'data-handle': handle },
        video,
        el('figcaption', {}, el('span', { text: nameOf(handle) }), el('span', { class: 'ic-call-quality' })),
      );
      remotes.set(handle, tile);
      grid.appendChild(tile);
    }
    const video = tile.querySelector('video')!;
    if (video.srcObject !== stream) video.srcObject = stream;
  }

  async function showQuality(): Promise<void> {
    if (!session) return;
    for (const [handle, q] of await session.quality()) {
      const node = remotes.get(handle)?.querySelector<HTMLElement>('.ic-call-quality');
      if (node) {
        node.textContent = ` · ${qualityLabel(q)}`;
        node.dataset.level = q.level;
      }
    }
  }

  function leaveLocally(): void {
    clearInterval(qualityTimer);
    devices.hide();
    session?.close();
    session = null;
    for (const tile of remotes.values()) tile.remove();
    remotes.clear();
    localVideo.srcObject = null;
    muteButton.setAttribute('aria-pressed', 'false');
    say(muteButton, 'call.mute');
    cameraButton.setAttribute('aria-pressed', 'false');
    say(cameraButton, 'call.cameraOff');
  }

  audioButton.addEventListener('click', () => void enter('audio', () => calls!.start(chatId, 'audio')));
  videoButton.addEventListener('click', () => void enter('video', () => calls!.start(chatId, 'video')));
  joinButton.addEventListener('click', () => {
    if (call) void enter(call.media, () => calls!.accept(chatId, call!.id));
  });
  acceptButton.addEventListener('click', () => {
    const r = ringing;
    if (r) void enter(r.call.media, () => calls!.accept(chatId, r.call.id));
  });
  declineButton.addEventListener('click', () => {
    const r = ringing;
    stopRinging();
    render();
    if (r) calls?.decline(chatId, r.call.id).catch(() => {});
  });
  hangUpButton.addEventListener('click', () => {
    const id = session?.callId;
    leaveLocally();
    render();
    if (id) calls?.leave(chatId, id).catch(() => {});
  });
  muteButton.addEventListener('click', () => {
    const muted = muteButton.getAttribute('aria-pressed') !== 'true';
    session?.setMuted(muted);
    muteButton.setAttribute('aria-pressed', String(muted));
    say(muteButton, muted ? 'call.unmute' : 'call.mute');
  });
  cameraButton.addEventListener('click', () => {
    const off = cameraButton.getAttribute('aria-pressed') !== 'true';
    session?.setCameraOff(off);
    cameraButton.setAttribute('aria-pressed', String(off));
    say(cameraButton, off ? 'call.cameraOn' : 'call.cameraOff');
  });

  render();
  return {
    root,
    chat(next) {
      chat = next;
      render();
    },
    current(c) {
      call = c && c.state !== 'ended' ? c : null;
      if (session && (!call || call.id !== session.callId)) leaveLocally();
      render();
    },
    ring(r) {
      if (r.call.chatId !== chatId || session || !calls) return;
      ringing = r;
      call = r.call;
      say(ringLine, ...ringText(r));
      clearTimeout(ringTimer);
      ringTimer = setTimeout(
        () => {
          stopRinging();
          render();
        },
        Math.max(0, new Date(r.call.ringUntil).getTime() - Date.now()),
      );
      const callId = r.call.id;
      void (opts.ringTone?.() ?? Promise.resolve(true))
        .catch(() => true)
        .then((sound) => {
          if (sound && ringing?.call.id === callId) tone.start();
        });
      render();
    },
    updated(c) {
      if (c.chatId !== chatId) return;
      if (c.state === 'ended') {
        if (ringing?.call.id === c.id) stopRinging();
        if (session?.callId === c.id) leaveLocally();
        if (call?.id === c.id) call = null;
      } else {
        call = c;
        // Answered on another of my devices.
        if (ringing?.call.id === c.id && c.participants.includes(me())) stopRinging();
        session?.update(c);
      }
      render();
    },
    signal(n) {
      if (n.chatId !== chatId) return;
      if (session) void session.signal(n);
      else if (busy) early.push(n);
    },
    destroy() {
      const id = session?.callId;
      stopRinging();
      leaveLocally();
      if (id) calls?.leave(chatId, id).catch(() => {});
      root.remove();
    },
  };
}
