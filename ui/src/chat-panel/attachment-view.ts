/**
 * DOM for an ATTACHMENT message: an image thumbnail that opens full size, a video player with its
 * poster and length, or a file's name, size and type with a download link. Object URLs are
 * short-lived signed links, fetched when the message is shown; names go in through textContent.
 */
import type { AttachmentView } from '../../../protocol/index.ts';
import type { ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';
import { t, tx, uiLanguage } from '../i18n/index.ts';

export function renderAttachment(a: AttachmentView, chatId: string, api: ApiClient | undefined): HTMLElement {
  const box = el('div', { class: `ic-attachment ic-attachment-${a.category.toLowerCase()}` });
  const caption = el(
    'p',
    { class: 'ic-attachment-meta' },
    el('span', { class: 'ic-attachment-name', text: a.name }),
    ` · ${sizeLabel(a.size)}`,
  );
  if (!api) {
    caption.append(' · ', el('span', tx('attachment.seeOnPage')));
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
    const open = el('a', { target: '_blank', rel: 'noopener', ...tx({ title: ['attachment.open', { name: a.name }] }) }, img);
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
      ...tx({ 'aria-label': ['attachment.video', { duration: durationLabel(a.durationMs) }] }),
    });
    const length = el('span', { class: 'ic-duration', text: durationLabel(a.durationMs) });
    box.append(video, el('p', { class: 'ic-attachment-meta' }, el('span', tx('attachment.videoMeta')), ' ', length));
    const links = Promise.all([url(a.mediaId), a.previewMediaId ? url(a.previewMediaId) : null]);
    // A format this client cannot decode would leave a player that never starts: offer a way that works.
    const unplayable = () => {
      void links.then(([src, poster]) => video.replaceWith(cannotPlay(a, chatId, api.server.baseUrl, src, poster)), failed(box));
    };
    if (video.canPlayType(a.contentType) === '') unplayable();
    else {
      video.addEventListener('error', unplayable, { once: true });
      void links.then(([src, poster]) => {
        if (poster) video.poster = poster;
        video.src = src;
      }, failed(box));
    }
  } else {
    const link = el('a', { class: 'ic-download', download: a.name, ...tx('attachment.download') });
    caption.append(` · ${a.contentType} · `, link);
    box.appendChild(caption);
    void url(a.mediaId).then((href) => {
      link.href = href;
    }, failed(box));
  }
  return box;
}

/**
 * Instead of a player: the poster, a link to the chat page (a browser there plays more formats
 * than an add-in's host) unless this is the chat page already, and the file to download.
 */
function cannotPlay(a: AttachmentView, chatId: string, baseUrl: string, src: string, poster: string | null): HTMLElement {
  const page = new URL(`/c/${encodeURIComponent(chatId)}`, baseUrl || location.href);
  const onPage = location.origin === page.origin && location.pathname === page.pathname;
  // Each piece a whole sentence or a whole link: no fragments glued together across languages.
  const note = el('p', { class: 'ic-hint ic-cannot-play' }, el('span', tx('attachment.cannotPlay')));
  if (!onPage) note.append(' ', el('a', { href: page.href, target: '_blank', rel: 'noopener', ...tx('attachment.watchOnPage') }));
  note.append(' ', el('a', { class: 'ic-download', href: src, download: a.name, ...tx('attachment.downloadInstead') }));
  const box = el('div', { class: 'ic-video-fallback' });
  if (poster) box.append(el('img', { src: poster, class: 'ic-thumb', ...tx({ alt: 'attachment.posterAlt' }) }));
  box.append(note);
  return box;
}

function failed(box: HTMLElement): (err: unknown) => void {
  return (err) =>
    box.appendChild(el('p', { class: 'ic-hint', ...(err instanceof Error ? { text: err.message } : tx('attachment.loadFailed')) }));
}

export function sizeLabel(bytes: number): string {
  const [value, unit] =
    bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), 'megabyte'] : bytes >= 1024 ? [bytes / 1024, 'kilobyte'] : [bytes, 'byte'];
  return new Intl.NumberFormat(uiLanguage(), { style: 'unit', unit, maximumFractionDigits: unit === 'megabyte' ? 1 : 0 }).format(value);
}

export function durationLabel(ms: number | null): string {
  if (ms === null) return t('attachment.lengthUnknown');
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
