import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import express, { Router, type Response } from 'express';
import { socketOrigin } from './origins.ts';
import { appPackageZip, JSON_MANIFEST, withOrigin, XML_MANIFEST } from './addin-package.ts';

/**
 * The Outlook add-in's task panes and event runtime (dist/addin, built by `npm run build:addin`).
 * Outlook frames these pages and they load Office.js from Microsoft's CDN, so they get their own
 * Content-Security-Policy instead of the app-wide one; nothing else is loosened.
 */
export const ADDIN_DIST = path.resolve(import.meta.dirname, '../../../dist/addin');

const OFFICE_CDN = 'https://appsforoffice.microsoft.com';
/** Outlook on the web and new Outlook frame add-in panes from these origins. */
const OUTLOOK_FRAMERS = [
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook.live.com',
  'https://*.officeapps.live.com',
  'https://*.outlook.com',
];

const addinCsp = (publicUrl: string) => [
  "default-src 'self'",
  `script-src 'self' ${OFFICE_CDN}`,
  "style-src 'self'",
  "img-src 'self' data:",
  `connect-src 'self' ${socketOrigin(publicUrl)}`,
  `frame-src ${OFFICE_CDN}`,
  `frame-ancestors 'self' ${OUTLOOK_FRAMERS.join(' ')}`,
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

function addinHeaders(res: Response, publicUrl: string): void {
  res.setHeader('Content-Security-Policy', addinCsp(publicUrl));
  // frame-ancestors governs framing; the app-wide SAMEORIGIN would stop Outlook on the web.
  res.removeHeader('X-Frame-Options');
  // Outlook's ribbon loads the icons from its own origin.
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
}

/**
 * `/addin/*`: the built pane pages and assets, and the manifests with their development origin
 * replaced by this server's public URL: `/addin/manifest.xml` (sideload it from there),
 * `/addin/manifest.json` (the unified manifest) and `/addin/app-package.zip` (the unified
 * manifest with its icons, for Microsoft 365 centralized deployment). The URL comes from
 * configuration only: a request's Host header is the client's to forge, and it would land in
 * the manifests.
 */
export function addinPages(publicUrl: () => string): Router {
  const r = Router();
  r.use((_req, res, next) => {
    addinHeaders(res, publicUrl());
    next();
  });
  r.get('/manifest.xml', (_req, res) => {
    res.type('application/xml').send(withOrigin(readFileSync(XML_MANIFEST, 'utf8'), escapeXml(publicUrl())));
  });
  r.get('/manifest.json', (_req, res) => {
    res.type('application/json').send(withOrigin(readFileSync(JSON_MANIFEST, 'utf8'), publicUrl()));
  });
  r.get('/app-package.zip', (_req, res) => {
    res.type('application/zip').attachment('inbox-chat-outlook.zip').send(Buffer.from(appPackageZip(publicUrl())));
  });
  r.use((req, res, next) => {
    if (!existsSync(ADDIN_DIST)) {
      res.status(503).type('text').send('The Outlook add-in is not built yet: run `npm run build:addin`.');
      return;
    }
    next();
  });
  // Pages and the classic-Outlook events.js keep fixed names: revalidate them; hashed files are immutable.
  r.use(
    express.static(ADDIN_DIST, {
      index: false,
      setHeaders: (res, file) => {
        const hashed = /\.[0-9a-f]{8}\.(js|css)$/.test(file);
        res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  return r;
}

/** The public URL is configuration, but a URL may still hold `&`; it goes into XML attributes and text. */
function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
