import path from 'node:path';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
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

const addinCsp = (publicUrl: string) =>
  [
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
    res
      .type('application/zip')
      .attachment('inbox-chat-outlook.zip')
      .send(Buffer.from(appPackageZip(publicUrl())));
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

/** The Thunderbird extension as built by `npm run build:thunderbird`. */
export const THUNDERBIRD_XPI = path.resolve(import.meta.dirname, '../../../dist/inbox-chat-thunderbird.xpi');
/** The origin the extension's manifest is built with; replaced by this server's public URL. */
export const THUNDERBIRD_MANIFEST_ORIGIN = 'https://localhost:3000';

interface ExtensionManifest {
  version: string;
  browser_specific_settings: { gecko: { id: string; strict_min_version?: string; update_url?: string } };
}

/**
 * `/thunderbird/inbox-chat.xpi` (the extension, its `update_url` pointing at this server) and
 * `/thunderbird/updates.json` (Thunderbird's update manifest for it). Enterprise policies
 * (`ExtensionSettings.install_url`) point at the .xpi; installed copies update from here.
 */
export function thunderbirdPages(publicUrl: () => string): Router {
  const r = Router();
  const built = new Map<string, { mtimeMs: number; xpi: Buffer; manifest: ExtensionManifest }>();
  /** The built .xpi with the public URL substituted (cached per URL until the .xpi changes). */
  const load = (base: string) => {
    const mtimeMs = statSync(THUNDERBIRD_XPI).mtimeMs;
    const cached = built.get(base);
    if (cached && cached.mtimeMs === mtimeMs) return cached;
    const files = unzipSync(readFileSync(THUNDERBIRD_XPI));
    const text = strFromU8(files['manifest.json']!).split(THUNDERBIRD_MANIFEST_ORIGIN).join(base);
    files['manifest.json'] = strToU8(text);
    const entry = { mtimeMs, xpi: Buffer.from(zipSync(files, { level: 9 })), manifest: JSON.parse(text) as ExtensionManifest };
    built.set(base, entry);
    return entry;
  };
  r.use((_req, res, next) => {
    if (!existsSync(THUNDERBIRD_XPI)) {
      res.status(503).type('text').send('The Thunderbird extension is not built yet: run `npm run build:thunderbird`.');
      return;
    }
    next();
  });
  r.get('/inbox-chat.xpi', (_req, res) => {
    const { xpi } = load(publicUrl().replace(/\/$/, ''));
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/x-xpinstall').send(xpi);
  });
  r.get('/updates.json', (_req, res) => {
    const base = publicUrl().replace(/\/$/, '');
    const { manifest } = load(base);
    const gecko = manifest.browser_specific_settings.gecko;
    res.setHeader('Cache-Control', 'no-cache');
    res.json({
      addons: {
        [gecko.id]: {
          updates: [
            {
              version: manifest.version,
              update_link: `${base}/thunderbird/inbox-chat.xpi`,
              applications: { gecko: { strict_min_version: gecko.strict_min_version } },
            },
          ],
        },
      },
    });
  });
  return r;
}
