/**
 * Attaching files to a chat: the Attach button, drag-and-drop onto the panel and pasting. Images
 * are re-encoded through a canvas first, which drops their EXIF data (camera location included),
 * and get a small thumbnail; every file goes up over tus and is posted once fully stored.
 */
import { categoryOf } from '../../../protocol/media.ts';
import type { ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';
import { t, tx } from '../i18n/index.ts';
import { uploadToChat } from './media-upload.ts';

const THUMB_PX = 320;

export interface Attacher {
  button: HTMLElement;
  /** Posts files (from the button, a drop or a paste). */
  attach(files: File[]): Promise<void>;
}

export function createAttacher(opts: {
  api: ApiClient;
  chatId: string;
  /** What is happening to the files (empty: nothing any more), in the UI language. */
  notice: (text: string) => void;
  newClientId: () => string;
}): Attacher {
  const input = el('input', { type: 'file', multiple: true, class: 'ic-visually-hidden', tabindex: '-1', 'aria-hidden': 'true' });
  const pick = el('button', { type: 'button', class: 'ic-link ic-attach', ...tx('attach.pick') });
  pick.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    void attach(files);
  });

  async function attach(files: File[]): Promise<void> {
    for (const file of files) {
      try {
        await postOne(file);
      } catch (err) {
        opts.notice(
          t('attach.failed', { name: file.name || t('attach.file'), reason: err instanceof Error ? err.message : t('attach.notSent') }),
        );
        return;
      }
    }
    opts.notice('');
  }

  async function postOne(file: File): Promise<void> {
    const name = file.name || t('attach.pasted');
    const progress = (sent: number, total: number | null) =>
      opts.notice(total ? t('attach.progress', { name, share: Math.floor((sent / total) * 100) / 100 }) : t('attach.uploading', { name }));
    if (categoryOf(file.type) === 'IMAGE' && file.type !== 'image/gif') {
      const image = await reencode(file);
      const full = uploadToChat(opts.api, opts.chatId, image.full, { name, type: image.full.type }, progress);
      const thumb = uploadToChat(opts.api, opts.chatId, image.thumb, { name: `thumbnail of ${name}`, type: image.thumb.type });
      const [uploadId, previewUploadId] = await Promise.all([full.done, thumb.done]);
      await opts.api.sendAttachment(opts.chatId, {
        clientId: opts.newClientId(),
        uploadId,
        previewUploadId,
        width: image.width,
        height: image.height,
      });
      return;
    }
    const upload = uploadToChat(opts.api, opts.chatId, file, { name, type: file.type || 'application/octet-stream' }, progress);
    await opts.api.sendAttachment(opts.chatId, { clientId: opts.newClientId(), uploadId: await upload.done });
  }

  const button = el('div', { class: 'ic-attach-row' }, pick, input);
  return { button, attach };
}

/** Lets a panel take files dropped on it or pasted into it. */
export function acceptDropsAndPastes(target: HTMLElement, attach: (files: File[]) => void): () => void {
  const onDragOver = (e: DragEvent) => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    target.dataset.dropping = 'true';
  };
  const onDragLeave = () => delete target.dataset.dropping;
  const onDrop = (e: DragEvent) => {
    delete target.dataset.dropping;
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    attach(files);
  };
  const onPaste = (e: ClipboardEvent) => {
    const files = [...(e.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    attach(files);
  };
  target.addEventListener('dragover', onDragOver);
  target.addEventListener('dragleave', onDragLeave);
  target.addEventListener('drop', onDrop);
  target.addEventListener('paste', onPaste);
  return () => {
    target.removeEventListener('dragover', onDragOver);
    target.removeEventListener('dragleave', onDragLeave);
    target.removeEventListener('drop', onDrop);
    target.removeEventListener('paste', onPaste);
  };
}

/** The picture drawn onto a canvas and encoded anew: pixels only, no metadata. */
async function reencode(file: File): Promise<{ full: Blob; thumb: Blob; width: number; height: number }> {
  const bitmap = await createImageBitmap(file);
  try {
    const type = file.type === 'image/png' ? 'image/png' : 'image/jpeg';
    const full = await draw(bitmap, bitmap.width, bitmap.height, type);
    const scale = Math.min(1, THUMB_PX / Math.max(bitmap.width, bitmap.height));
    const thumb = await draw(
      bitmap,
      Math.max(1, Math.round(bitmap.width * scale)),
      Math.max(1, Math.round(bitmap.height * scale)),
      'image/jpeg',
    );
    return { full, thumb, width: bitmap.width, height: bitmap.height };
  } finally {
    bitmap.close();
  }
}

export function draw(source: CanvasImageSource, width: number, height: number, type: string): Promise<Blob> {
  const canvas = el('canvas');
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d');
  if (!g) return Promise.reject(new Error(t('attach.cannotDraw')));
  g.drawImage(source, 0, 0, width, height);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error(t('attach.cannotEncode')))), type, 0.9));
}
