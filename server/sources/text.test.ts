import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText, MARK_END, MARK_START, markdownToText, stripMarks, toHighlight, truncate, truncateMarked } from './text.ts';

describe('text helpers', () => {
  it('decodes named and numeric entities, leaving unknown ones alone', () => {
    expect(decodeEntities('I&#x27;m &amp; you&#39;re &lt;b&gt; &quot;x&quot; &bogus; &#0;')).toBe(`I'm & you're <b> "x" &bogus; &#0;`);
  });

  it('turns HTML into plain text and keeps chosen elements as marks', () => {
    const html = 'The <span class="searchmatch">Meaning</span> of <b>life</b><p>Next &amp; last<script>alert(1)</script>';
    const text = htmlToText(html, /<span class="searchmatch">([\s\S]*?)<\/span>/g);
    expect(text).toBe(`The ${MARK_START}Meaning${MARK_END} of life Next & last`);
    expect(stripMarks(text)).toBe('The Meaning of life Next & last');
  });

  it('builds highlights that escape everything but <mark>', () => {
    expect(toHighlight(`a <script> & ${MARK_START}"b"${MARK_END}`)).toBe('a &lt;script&gt; &amp; <mark>&quot;b&quot;</mark>');
  });

  it('reads Markdown as plain text', () => {
    const md = '# Title\n\nSend the **`X-API-Key`** header; see [the docs](https://example.com).\n\n- one\n- two\n\n| Code | Meaning |\n|---|---|\n| 429 | Too Many Requests |';
    expect(markdownToText(md)).toBe('Title Send the X-API-Key header; see the docs. one two Code · Meaning 429 · Too Many Requests');
    // A passage cut out of "*in*, *at*, *for*" keeps an unpaired asterisk; it goes too. Multiplication stays.
    expect(markdownToText('for*, *near* or _around_ is 2 * 3, snake_case stays')).toBe('for, near or around is 2 * 3, snake_case stays');
    expect(markdownToText('`status` is `ok')).toBe('status is ok');
  });

  it('truncates at a word boundary and never leaves a mark open', () => {
    expect(truncate('short')).toBe('short');
    const long = 'word '.repeat(100).trim();
    const cut = truncate(long, 50);
    expect(cut.length).toBeLessThanOrEqual(50);
    expect(cut).toMatch(/word…$/);
    const marked = `${'a '.repeat(20)}${MARK_START}${'b '.repeat(40)}${MARK_END}`;
    const t = truncateMarked(marked, 60);
    expect(t.split(MARK_START).length).toBe(t.split(MARK_END).length);
  });
});
