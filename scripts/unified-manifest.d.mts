/** Types for scripts/unified-manifest.mjs (used by test/addin/unified-manifest.test.ts). */
export { JSON_MANIFEST, XML_MANIFEST } from '../backend/src/http/addin-package.ts';
export declare function unifiedManifest(origin?: string): Promise<Record<string, unknown>>;
export declare function manifestText(m: unknown): string;
export declare function appPackage(origin: string): Promise<Uint8Array>;
