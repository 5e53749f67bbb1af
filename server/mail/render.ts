/** One email as it is handed to SMTP (or printed): both parts, already rendered. */
export interface Email {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Who sends: every email names the product and where the operator runs it. */
export interface Operator {
  productName: string;
  /** The server's public base URL, e.g. https://api.example.com (no trailing slash). */
  publicUrl: string;
}

export interface EmailContent {
  heading: string;
  paragraphs: string[];
  /** The one thing to do: a button in HTML, the bare link on a line of its own in text. */
  action?: { label: string; url: string };
  /** Small print under the action, e.g. "If you did not sign up, ignore this email." */
  footer?: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Only web links: an email client would follow a `javascript:` or `data:` one too. */
function webUrl(url: string): string {
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) throw new Error(`an email link must be an http(s) URL, not ${JSON.stringify(url.slice(0, 40))}`);
  return url;
}

/**
 * The plain-text and HTML parts of one email, from the same content. Every piece
 * of content is escaped in the HTML (names and addresses come from users); the
 * text part keeps the link bare on its own line so any client makes it clickable.
 */
export function renderEmail(operator: Operator, content: EmailContent): { text: string; html: string } {
  const action = content.action && { label: content.action.label, url: webUrl(content.action.url) };
  const signature = `${operator.productName}\n${operator.publicUrl}`;

  const text = [
    content.heading,
    ...content.paragraphs,
    ...(action ? [`${action.label}:\n${action.url}`] : []),
    ...(content.footer ? [content.footer] : []),
    `-- \n${signature}`,
  ].join('\n\n');

  const e = escapeHtml;
  const font = 'font-family:-apple-system,BlinkMacSystemFont,Segoe UI,Roboto,Helvetica,Arial,sans-serif';
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(content.heading)}</title></head>`,
    `<body style="margin:0;padding:24px;background:#f4f4f5;${font};color:#18181b">`,
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;padding:32px">',
    `<tr><td><h1 style="margin:0 0 16px;font-size:20px">${e(content.heading)}</h1>`,
    ...content.paragraphs.map((p) => `<p style="margin:0 0 16px;font-size:15px;line-height:1.5">${e(p)}</p>`),
    ...(action
      ? [
          `<p style="margin:24px 0"><a href="${e(action.url)}" style="display:inline-block;background:#18181b;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-size:15px">${e(action.label)}</a></p>`,
          `<p style="margin:0 0 16px;font-size:13px;color:#52525b;word-break:break-all">Or open this link: <a href="${e(action.url)}" style="color:#2563eb">${e(action.url)}</a></p>`,
        ]
      : []),
    ...(content.footer ? [`<p style="margin:24px 0 0;font-size:13px;color:#71717a">${e(content.footer)}</p>`] : []),
    '</td></tr></table>',
    `<p style="margin:16px 0 0;font-size:12px;color:#71717a">${e(operator.productName)} · <a href="${e(operator.publicUrl)}" style="color:#71717a">${e(operator.publicUrl)}</a></p>`,
    '</td></tr></table>',
    '</body></html>',
  ].join('\n');

  return { text, html };
}
