/**
 * Every catalogue at once, for the tests and tools (the browser loads them one by one: index.ts).
 * English is the reference: the type of every other catalogue is English's,
 * so a key missing in any language fails the typecheck (and catalogues.test.ts checks the ICU arguments).
 */
import en from './messages/en.json' with { type: 'json' };
import fr from './messages/fr.json' with { type: 'json' };
import de from './messages/de.json' with { type: 'json' };
import es from './messages/es.json' with { type: 'json' };
import sw from './messages/sw.json' with { type: 'json' };
import ar from './messages/ar.json' with { type: 'json' };
import ja from './messages/ja.json' with { type: 'json' };
import zh from './messages/zh.json' with { type: 'json' };
import ko from './messages/ko.json' with { type: 'json' };
import hi from './messages/hi.json' with { type: 'json' };
import { UI_LANGUAGES, type UiLanguage } from './languages.ts';

export type MessageKey = keyof typeof en;
export type Catalogue = Record<MessageKey, string>;

export { UI_LANGUAGES, type UiLanguage };

export const CATALOGUES: Record<UiLanguage, Catalogue> = { en, fr, de, es, sw, ar, ja, zh, ko, hi };
