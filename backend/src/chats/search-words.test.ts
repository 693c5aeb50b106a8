import assert from 'node:assert/strict';
import { excerpt, matchRanges, prefixTsQuery, searchWords } from './search-words.ts';

describe('search words', () => {
  it('keeps only letters and digits, lower-cased and distinct, so no tsquery operator gets in', () => {
    assert.deepEqual(searchWords("Budget & (q3) | !plan:* 'Budget'"), ['budget', 'q3', 'plan']);
    assert.equal(prefixTsQuery(searchWords('Café  über')), "'café':* & 'über':*");
  });

  it('matches the start of words only, merging touching matches', () => {
    const text = 'Meeting: the meet-up; premeet';
    const found = matchRanges(text, ['meet']).map((r) => text.slice(r.start, r.end));
    assert.deepEqual(found, ['Meeting', 'meet']);
    assert.deepEqual(matchRanges('giraffes', ['gira', 'giraffe']), [{ start: 0, end: 8 }]);
  });

  it('cuts a long text around the first match with the ranges moved along', () => {
    const long = `${'lorem ipsum '.repeat(30)}the giraffe\n\nnear ${'dolor sit '.repeat(30)}`;
    const e = excerpt(long, ['giraffe'], 80);
    assert.ok(e.text.startsWith('… ') && e.text.endsWith(' …'), e.text);
    assert.ok(e.text.length <= 80 + 4);
    assert.equal(e.ranges.length, 1);
    assert.equal(e.text.slice(e.ranges[0]!.start, e.ranges[0]!.end), 'giraffe');
    assert.ok(e.text.includes('giraffe near'), 'whitespace collapsed');
  });
});
