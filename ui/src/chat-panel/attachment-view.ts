/**
 * DOM for an ATTACHMENT message: an image thumbnail that opens full size, a video player with its
 * poster and length, or a file's name, size and type with a download link. Object URLs are
 * short-lived signed links, fetched when the message is shown; names go in through textContent.
 */
import type { AttachmentView } from '../../../protocol/index.ts';
import type { ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';

export function renderAttachment(a: AttachmentView, chatId: string, api: ApiClient | undefined): HTMLElement {
  const box = el('div', { class: `ic-attachment ic-attachment-${a.category.toLowerCase()}` });
  const caption = el(
    'p',
    { class: 'ic-attachment-meta' },
    el('span', { class: 'ic-attachment-name', text: a.name }),
    ` · ${sizeLabel(a.size)}`,
  );
  if (!api) {
    caption.append(' · open the chat page to see it');
    box.appendChild(caption);
    return box;
  }
  const url = (mediaId: string) => api.mediaUrl(chatId, mediaId);
  if (a.category === 'IMAGE') {
    const img = el('img', { alt: a.name, class: 'ic-thumb', loading: 'lazy' });
    if (a.width && a.height) {
      img.width = Math.min(240, a.width);
      img.height = Math.round((img.width / a.width) * a.height);
    }
    const open = el('a', { target: '_blank', rel: 'noopener', title: `Open ${a.name} full size` }, img);
    box.append(open, caption);
    void Promise.all([url(a.mediaId), a.previewMediaId ? url(a.previewMediaId) : null]).then(([full, thumb]) => {
      open.href = full;
      img.src = thumb ?? full;
    }, failed(box));
  } else if (a.category === 'VIDEO') {
    const video = el('video', {
      controls: true,
      preload: 'metadata',
      playsinline: true,
      class: 'ic-video',
      'aria-label': `Video message, ${durationLabel(a.durationMs)}`,
    });
    const length = el('span', { class: 'ic-duration', text: durationLabel(a.durationMs) });
    box.append(video, el('p', { class: 'ic-attachment-meta' }, 'Video message · ', length));
    void Promise.all([url(a.mediaId), a.previewMediaId ? url(a.previewMediaId) : null]).then(([src, poster]) => {
      if (poster) video.poster = poster;
      video.src = src;
    }, failed(box));
  } else {
    const link = el('a', { class: 'ic-download', download: a.name, text: 'Download' });
    caption.append(` · ${a.contentType} · `, link);
    box.appendChild(caption);
    void url(a.mediaId).then((href) => {
      link.href = href;
    }, failed(box));
  }
  return box;
}

function failed(box: HTMLElement): (err: unknown) => void {
  return (err) => box.appendChild(el('p', { class: 'ic-hint', text: err instanceof Error ? err.message : 'Could not load this file' }));
}

export function sizeLabel(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

export function durationLabel(ms: number | null): string {
  if (ms === null) return 'length unknown';
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
