/**
 * The panel inserted into an email (mail-client/panel.ts), for the mail engines that show it:
 * classic Outlook on Windows renders with Word, which ignores padding, inline-block and
 * background on links, so the "Open the chat" button must get them from its table cell.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { webLightTheme } from '@fluentui/tokens';
import { chatUrl } from '../../mail-client/chat-url.ts';
import { findChatIdInHtml, panelHtml } from '../../mail-client/panel.ts';

const CHAT_ID = '0b7e6f0e-3c1a-4a53-9d51-2f6a7c9e1b42';
const html = panelHtml({ chatUrl: chatUrl('https://chat.example', CHAT_ID), chatId: CHAT_ID, subject: 'Plan & "budget"' });

/** Attributes of a start tag, lower-cased names. */
function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-z-]+)="([^"]*)"/gi)) out[m[1]!.toLowerCase()] = m[2]!;
  return out;
}

function styleOf(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const decl of (attrs(tag).style ?? '').split(';')) {
    const i = decl.indexOf(':');
    if (i > 0) out[decl.slice(0, i).trim().toLowerCase()] = decl.slice(i + 1).trim();
  }
  return out;
}

describe('Email panel HTML (what the add-ins insert)', function () {
  it('the Open the chat button is bulletproof: background and padding on its table cell, not on the link', () => {
    const m = /(<td[^>]*>)\s*(<a [^>]*>)Open the chat<\/a>\s*<\/td>/.exec(html);
    assert.ok(m, 'the button link is the only content of its own cell');
    const [, cellTag, linkTag] = m;
    const cell = styleOf(cellTag!);
    assert.match(attrs(cellTag!).bgcolor ?? '', /^#[0-9a-f]{6}$/i, 'bgcolor attribute, which Word honours');
    assert.equal(cell.background, attrs(cellTag!).bgcolor);
    assert.match(cell.padding ?? '', /^\d+px \d+px$/);
    const link = styleOf(linkTag!);
    for (const prop of ['padding', 'background', 'background-color', 'display']) {
      assert.equal(link[prop], undefined, `the link itself has no ${prop} (Word ignores it there)`);
    }
    assert.equal(link.color, '#ffffff', 'white text on the brand colour');
  });

  it('stays one table with consistent columns, so readers can take the link’s closest table as the panel', () => {
    assert.equal(html.match(/<table/g)?.length, 1, 'no nested table');
    const rows = html.split('<tr>').slice(1);
    for (const row of rows) {
      const cells = [...row.matchAll(/<td([^>]*)>/g)].map((c) => Number(/colspan="(\d+)"/.exec(c[1]!)?.[1] ?? 1));
      assert.equal(
        cells.reduce((a, b) => a + b, 0),
        3,
        `each row spans the three columns: ${row.slice(0, 80)}`,
      );
    }
    assert.equal(findChatIdInHtml(html), CHAT_ID);
    assert.ok(html.includes('Plan &#38; &#34;budget&#34;'), 'subject escaped');
  });

  it('uses Fluent 2 colours (brand #0f6cbd), not the old indigo', () => {
    assert.match(html, /#0f6cbd/i);
    assert.doesNotMatch(html, /#4f46e5|#eef2ff|#c7d2fe|#1e1b4b|#312e81/i);
    // Each inline colour is the value of the Fluent token its comment names (mail has no CSS variables).
    const source = readFileSync(new URL('../../mail-client/panel.ts', import.meta.url), 'utf8');
    const pairs = [...source.matchAll(/'(#[0-9a-f]{6})', \/\/ (color\w+)/gi)];
    assert.ok(pairs.length >= 5);
    const theme = new Map<string, unknown>(Object.entries(webLightTheme));
    for (const [, value, token] of pairs) assert.equal(value!.toLowerCase(), String(theme.get(token!)).toLowerCase(), token);
  });
});
