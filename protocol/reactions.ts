/**
 * The reactions a message offers with one click. Any other single emoji can be sent too (the
 * server checks it is one); kept apart from the zod schemas so browser bundles can use it.
 */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'] as const;
