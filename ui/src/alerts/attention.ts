/**
 * The unread count where a person glances: "(3) " before the tab title and a badge on the
 * favicon. Views set the title as they like; the count is put back in front whenever they do.
 */
const PREFIX = /^\(\d+\+?\) /;

export function pageAttention(): { unread(n: number): void; destroy(): void } {
  let count = 0;
  const icon = faviconLink();
  const original = icon.getAttribute('href');
  const apply = () => {
    const base = document.title.replace(PREFIX, '');
    const title = count > 0 ? `(${label(count)}) ${base}` : base;
    if (document.title !== title) document.title = title;
  };
  const titleWatch = new MutationObserver(apply);
  titleWatch.observe(document.head, { subtree: true, childList: true, characterData: true });
  return {
    unread(n: number) {
      if (n === count) return;
      count = n;
      apply();
      icon.href = badgeIcon(count);
      icon.dataset.unread = String(count);
    },
    destroy() {
      titleWatch.disconnect();
      count = 0;
      apply();
      if (original) icon.setAttribute('href', original);
      else icon.remove();
    },
  };
}

function label(n: number): string {
  return n > 99 ? '99+' : String(n);
}

function faviconLink(): HTMLLinkElement {
  const existing = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (existing) return existing;
  const link = document.createElement('link');
  link.rel = 'icon';
  link.type = 'image/svg+xml';
  link.href = badgeIcon(0);
  document.head.append(link);
  return link;
}

/** A speech bubble, with a red count in its corner when there is something unread (an SVG data: URL; the CSP allows data: images). */
export function badgeIcon(n: number): string {
  const bubble = '<path d="M6 8h36a4 4 0 0 1 4 4v20a4 4 0 0 1-4 4H20l-10 8v-8H6a4 4 0 0 1-4-4V12a4 4 0 0 1 4-4z" fill="#0f6cbd"/>';
  const badge =
    n > 0
      ? `<circle cx="46" cy="14" r="14" fill="#c50f1f"/><text x="46" y="20" font-family="sans-serif" font-size="${n > 9 ? 13 : 17}" font-weight="700" text-anchor="middle" fill="#fff">${label(n)}</text>`
      : '';
  return `data:image/svg+xml,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">${bubble}${badge}</svg>`)}`;
}
