import assert from 'node:assert/strict';
import { detectLanguage } from './detect.ts';

describe('message language detection (tinyld)', () => {
  it('finds the language of ordinary chat sentences', () => {
    assert.equal(detectLanguage('The meeting is at three tomorrow.', []), 'en');
    assert.equal(detectLanguage('La reunión es a las tres mañana.', []), 'es');
    assert.equal(detectLanguage('明日の会議は三時からです', []), 'ja');
    assert.equal(detectLanguage('Wir sehen uns morgen im Büro', []), 'de');
  });

  it('prefers a language the chat reads for a short word the detector hesitates on', () => {
    // Alone, tinyld puts Esperanto first for this word.
    assert.notEqual(detectLanguage('Gracias', []), 'es');
    assert.equal(detectLanguage('Gracias', ['en', 'es']), 'es');
  });

  it('does not force a message into a reader language it is plainly not in', () => {
    assert.equal(detectLanguage('Merci beaucoup, à demain mon ami', ['en', 'es']), 'fr');
  });

  it('gives up on text without words', () => {
    assert.equal(detectLanguage('42', ['en']), null);
    assert.equal(detectLanguage('👍', ['en']), null);
  });
});
