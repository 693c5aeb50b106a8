/**
 * The Outlook add-in's manifests for a given server: manifest.xml and the unified manifest
 * (manifest.json) are written for the development origin and served with this server's public
 * URL instead, and the unified manifest also as the app package Microsoft 365 centralized
 * deployment takes (manifest.json plus its two icons, zipped). Used by the server
 * (addin-pages.ts) and by `npm run outlook:package` (scripts/unified-manifest.mjs).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';

const ROOT = path.resolve(import.meta.dirname, '../../..');
export const XML_MANIFEST = path.join(ROOT, 'manifest.xml');
export const JSON_MANIFEST = path.join(ROOT, 'manifest.json');
/** The origin both manifests are written for. */
export const MANIFEST_ORIGIN = 'https://localhost:3000';
/** The icons in the app package, under the names manifest.json gives them. */
export const PACKAGE_ICONS = {
  'color.png': path.join(ROOT, 'addin/assets/icon-192.png'),
  'outline.png': path.join(ROOT, 'addin/assets/icon-32.png'),
} as const;

/** A manifest's text with the development origin replaced by `origin`. */
export function withOrigin(text: string, origin: string): string {
  return text.split(MANIFEST_ORIGIN).join(origin.replace(/\/+$/, ''));
}

/** The app package (zip) of the unified manifest for `origin`. */
export function appPackageZip(origin: string): Uint8Array {
  const files: Record<string, Uint8Array> = { 'manifest.json': strToU8(withOrigin(readFileSync(JSON_MANIFEST, 'utf8'), origin)) };
  for (const [name, file] of Object.entries(PACKAGE_ICONS)) files[name] = new Uint8Array(readFileSync(file));
  return zipSync(files);
}
