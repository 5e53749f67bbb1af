import { describe, expect, it } from 'vitest';
import { escapeHtml, renderEmail } from './render.ts';

const operator = { productName: 'Acme API', publicUrl: 'https://api.acme.test' };

describe('renderEmail', () => {
  const content = {
    heading: 'Confirm your email',
    paragraphs: ['Hello Ada,', 'Click below to confirm the address you signed up with.'],
    action: { label: 'Confirm email', url: 'https://api.acme.test/verify?token=abc&next=%2Fkeys' },
    footer: 'If you did not sign up, ignore this email.',
  };

  it('writes a plain-text part with every paragraph and the bare link on a line of its own', () => {
    const { text } = renderEmail(operator, content);
    expect(text).toContain('Confirm your email\n\nHello Ada,\n\nClick below');
    expect(text.split('\n')).toContain('https://api.acme.test/verify?token=abc&next=%2Fkeys');
    expect(text).toContain('Confirm email:\n');
    expect(text).toContain('If you did not sign up, ignore this email.');
    expect(text).not.toMatch(/<[a-z]/i);
  });

  it('writes an HTML part with the same content, the link as a button and spelled out', () => {
    const { html } = renderEmail(operator, content);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<h1 style="margin:0 0 16px;font-size:20px">Confirm your email</h1>');
    expect(html).toContain('Hello Ada,');
    // The URL's & is escaped inside the attribute, as HTML requires.
    expect(html.match(/href="https:\/\/api\.acme\.test\/verify\?token=abc&amp;next=%2Fkeys"/g)).toHaveLength(2);
    expect(html).toContain('>Confirm email</a>');
    expect(html).toContain('If you did not sign up, ignore this email.');
  });

  it('names the product and the operator URL in both parts', () => {
    const { text, html } = renderEmail(operator, { heading: 'Hi', paragraphs: ['No action here.'] });
    expect(text.endsWith('-- \nAcme API\nhttps://api.acme.test')).toBe(true);
    expect(html).toContain('Acme API · <a href="https://api.acme.test"');
    expect(text).not.toContain('undefined');
  });

  it('escapes everything that came from users in the HTML, and leaves the text part as written', () => {
    const evil = '<script>alert("x")</script> & \'friends\'';
    const { text, html } = renderEmail({ productName: 'A&B <Co>', publicUrl: 'https://x.test' }, { heading: evil, paragraphs: [evil], footer: evil });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;');
    expect(html).toContain('A&amp;B &lt;Co&gt;');
    expect(text).toContain(evil);
  });

  it('refuses a link that is not http(s), which a mail client would follow all the same', () => {
    for (const url of ['javascript:alert(1)', 'data:text/html,hi', '/relative/path']) {
      expect(() => renderEmail(operator, { heading: 'h', paragraphs: [], action: { label: 'Go', url } })).toThrow(/must be an http\(s\) URL/);
    }
  });

  it('escapes the five characters HTML needs', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
