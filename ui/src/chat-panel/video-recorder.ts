/**
 * "Record video": camera preview, record with a visible timer up to a maximum length, stop,
 * re-take or send. Chunks go up (tus, length announced at the end) while recording, so sending
 * after stop only waits for the last chunk; the message is posted only once the whole recording
 * is stored (the server refuses it before).
 */
import type { ApiClient } from '../api-client.ts';
import type { VideoFormat } from '../../../protocol/index.ts';
import { FORMAT_LABEL, VIDEO_MIME, type RecordingPlan } from '../capabilities.ts';
import { el } from '../dom.ts';
import { say, sayAsIs, t, tx } from '../i18n/index.ts';
import { draw } from './attach.ts';
import { durationLabel } from './attachment-view.ts';
import { uploadToChat, type ChatUpload } from './media-upload.ts';

export const MAX_VIDEO_MS = 120_000;
/** Without a plan (the members' clients could not be asked): what this browser records first. */
const FALLBACK_FORMATS = ['video/webm;codecs=vp8,opus', 'video/webm', 'video/mp4'];

export function createVideoRecorder(opts: {
  api: ApiClient;
  chatId: string;
  newClientId: () => string;
  onClose: () => void;
  /**
   * The format every member plays, and who gets a link instead; null when it could not be worked
   * out. `inUse`: the format of the recording already made or being made (it cannot change).
   */
  makePlan: (inUse: VideoFormat | null) => Promise<RecordingPlan | null>;
  /** The host's own permission step before the camera opens (Outlook's device dialog); none elsewhere. */
  askCamera?: () => Promise<'ready' | 'reload' | 'denied'>;
}): {
  root: HTMLElement;
  start(): Promise<void>;
  /** Members' clients (or who is a member) changed: plan again and say so, without closing. */
  refresh(): void;
  close(): void;
} {
  const preview = el('video', {
    class: 'ic-video-preview',
    muted: true,
    autoplay: true,
    playsinline: true,
    ...tx({ 'aria-label': 'video.preview' }),
  });
  const timer = el('span', { class: 'ic-timer', role: 'timer', text: `0:00 / ${durationLabel(MAX_VIDEO_MS)}` });
  const state = el('p', { class: 'ic-hint', 'aria-live': 'polite' });
  const audience = el('div', { class: 'ic-recorder-audience', ...tx({ 'aria-label': 'video.audienceLabel' }) });
  const record = el('button', { type: 'button', class: 'ic-button', ...tx('video.record') });
  const stop = el('button', { type: 'button', class: 'ic-button', ...tx('video.stop'), disabled: true });
  const retake = el('button', { type: 'button', class: 'ic-link', ...tx('video.retake'), disabled: true });
  const send = el('button', { type: 'button', class: 'ic-button ic-send', ...tx('video.send'), disabled: true });
  const cancel = el('button', { type: 'button', class: 'ic-link', ...tx('common.cancel') });
  const root = el(
    'section',
    { class: 'ic-recorder', ...tx({ 'aria-label': 'video.label' }) },
    preview,
    el('div', { class: 'ic-recorder-row' }, timer, record, stop, retake, send, cancel),
    state,
    audience,
  );
  let plan: RecordingPlan | null = null;
  /** The format the current recording was started in (null before Record, and after Re-take). */
  let inUse: VideoFormat | null = null;
  /** Plans are asked for in turn; an answer overtaken by a later question is dropped. */
  let asked = 0;
  function refresh(): void {
    const mine = ++asked;
    void opts.makePlan(inUse).then((p) => {
      if (mine !== asked || !root.isConnected) return;
      plan = p;
      if (p) showPlan(p);
    });
  }
  refresh();

  let stream: MediaStream | null = null;
  let recorder: MediaRecorder | null = null;
  let video: ChatUpload | null = null;
  let poster: ChatUpload | null = null;
  let startedAt = 0;
  let durationMs = 0;
  let tick: ReturnType<typeof setInterval> | undefined;

  async function start(): Promise<void> {
    const access = opts.askCamera ? await opts.askCamera().catch(() => 'ready' as const) : 'ready';
    if (access !== 'ready') {
      record.disabled = true;
      if (access === 'reload') say(state, 'video.reloadForCamera');
      else say(state, 'video.noCamera', { reason: t('video.refused') });
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    } catch (err) {
      say(state, 'video.noCamera', { reason: err instanceof Error ? err.message : t('video.refused') });
      record.disabled = true;
      return;
    }
    preview.srcObject = stream;
  }

  function begin(): void {
    if (!stream) return;
    const type = plan?.format ? VIDEO_MIME[plan.format] : (FALLBACK_FORMATS.find((t) => MediaRecorder.isTypeSupported(t)) ?? '');
    recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    inUse = plan?.format ?? null;
    const contentType = (recorder.mimeType || type || 'video/webm').split(';')[0]!;
    let push: ReadableStreamDefaultController<Uint8Array>;
    const chunks = new ReadableStream<Uint8Array>({ start: (c) => void (push = c) });
    // Chunks are converted in order: each waits for the one before it.
    let queue = Promise.resolve();
    recorder.ondataavailable = (e) => {
      queue = queue.then(async () => push.enqueue(new Uint8Array(await e.data.arrayBuffer())));
    };
    recorder.onstop = () => {
      queue = queue.then(() => push.close());
    };
    video = uploadToChat(opts.api, opts.chatId, chunks.getReader(), {
      name: `video message.${contentType === 'video/mp4' ? 'mp4' : 'webm'}`,
      type: contentType,
    });
    video.done.catch((err: Error) => {
      if (err.message !== 'cancelled') sayAsIs(state, err.message);
    });
    recorder.start(1000);
    startedAt = performance.now();
    record.disabled = true;
    stop.disabled = false;
    retake.disabled = true;
    send.disabled = true;
    say(state, 'video.recording');
    tick = setInterval(() => {
      const ms = performance.now() - startedAt;
      timer.textContent = `${durationLabel(ms)} / ${durationLabel(MAX_VIDEO_MS)}`;
      if (ms >= MAX_VIDEO_MS) end();
    }, 250);
    // The poster: a frame from the first moments of the recording.
    setTimeout(() => {
      if (!recorder || preview.videoWidth === 0) return;
      void draw(preview, preview.videoWidth, preview.videoHeight, 'image/jpeg').then((blob) => {
        poster = uploadToChat(opts.api, opts.chatId, blob, { name: 'poster.jpg', type: 'image/jpeg' });
        poster.done.catch(() => {});
      });
    }, 300);
  }

  function end(): void {
    if (!recorder || recorder.state === 'inactive') return;
    clearInterval(tick);
    durationMs = Math.round(performance.now() - startedAt);
    recorder.stop();
    stop.disabled = true;
    retake.disabled = false;
    send.disabled = false;
    say(state, 'video.recorded', { duration: durationLabel(durationMs) });
  }

  function discard(): void {
    clearInterval(tick);
    if (recorder && recorder.state !== 'inactive') recorder.stop();
    recorder = null;
    video?.cancel();
    poster?.cancel();
    video = null;
    poster = null;
  }

  async function sendIt(): Promise<void> {
    if (!video) return;
    send.disabled = true;
    retake.disabled = true;
    say(state, 'video.finishing');
    try {
      const uploadId = await video.done;
      const previewUploadId = poster ? await poster.done.catch(() => undefined) : undefined;
      await opts.api.sendAttachment(opts.chatId, {
        clientId: opts.newClientId(),
        uploadId,
        durationMs,
        ...(previewUploadId ? { previewUploadId } : {}),
        ...(preview.videoWidth ? { width: preview.videoWidth, height: preview.videoHeight } : {}),
      });
      video = null;
      poster = null;
      close();
    } catch (err) {
      if (err instanceof Error) sayAsIs(state, err.message);
      else say(state, 'video.sendFailed');
      retake.disabled = false;
    }
  }

  function close(): void {
    discard();
    for (const t of stream?.getTracks() ?? []) t.stop();
    stream = null;
    root.remove();
    opts.onClose();
  }

  /** Tells the sender, before recording, how each member will receive it. */
  function showPlan(p: RecordingPlan): void {
    const lines: Record<string, string>[] = [];
    if (p.format) lines.push(tx('video.recordsAs', { format: FORMAT_LABEL[p.format] }));
    if (p.linkInstead.length) lines.push(tx('video.linkInstead', { names: p.linkInstead.join(', ') }));
    if (p.emailOnly.length) lines.push(tx('video.emailOnly', { names: p.emailOnly.join(', ') }));
    if (p.unknown) lines.push(tx('video.unknown', { count: p.unknown }));
    audience.replaceChildren(...lines.map((line) => el('p', { class: 'ic-hint', ...line })));
    if (p.format) root.dataset.format = p.format;
    else delete root.dataset.format;
  }

  record.addEventListener('click', begin);
  stop.addEventListener('click', end);
  retake.addEventListener('click', () => {
    discard();
    // Free to pick the format again: the members' clients may have changed while recording.
    inUse = null;
    refresh();
    timer.textContent = `0:00 / ${durationLabel(MAX_VIDEO_MS)}`;
    record.disabled = false;
    retake.disabled = true;
    send.disabled = true;
    sayAsIs(state, '');
  });
  send.addEventListener('click', () => void sendIt());
  cancel.addEventListener('click', close);
  return { root, start, refresh, close };
}
