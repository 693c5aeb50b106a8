/** Types for scripts/fluent-tokens.mjs (used by test/addin/fluent.test.ts). */
export declare const PANE_CSS: string;
export declare const TOKENS_CSS: string;
export declare function usedTokens(css: string): string[];
export declare function tokensCss(css: string): string;
