/**
 * The interface's catalogues agree with English: the same keys, every message parses as ICU
 * MessageFormat, uses the same arguments with the same types, and covers the plural categories
 * its language needs (the checks are shared with the email catalogues: test/support/catalogues.ts).
 */
import assert from 'node:assert/strict';
import { describeCatalogues } from '../../../test/support/catalogues.ts';
import { CATALOGUES, UI_LANGUAGES } from './catalogues.ts';

describe('UI message catalogues', () => {
  it('ships the ten interface languages', () => {
    assert.deepEqual([...UI_LANGUAGES].sort(), ['ar', 'de', 'en', 'es', 'fr', 'hi', 'ja', 'ko', 'sw', 'zh']);
  });
});

describeCatalogues('UI message catalogues:', UI_LANGUAGES, CATALOGUES, 'en');
