/** Types for scripts/unified-manifest.mjs (used by test/addin/unified-manifest.test.ts). */
export declare const XML_MANIFEST: string;
export declare const JSON_MANIFEST: string;
export declare const DEV_ORIGIN: string;
export declare const ICONS: { color: string; outline: string };
export declare function unifiedManifest(origin?: string): Promise<Record<string, unknown>>;
export declare function manifestText(m: unknown): string;
export declare function appPackage(origin: string): Promise<Uint8Array>;
