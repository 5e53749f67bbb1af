import addressparser from 'nodemailer/lib/addressparser';
import { z } from 'zod';

/**
 * Environment for email (server/mail/). Merged into the one schema in
 * server/config.ts, so a bad value stops the server at start-up.
 */
const int = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
};

// No control characters: the name goes into the From header of every email.
const productName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .refine((v) => !/[\p{Cc}]/u.test(v), 'must be one line of text');

const mailFrom = z
  .string()
  .trim()
  .refine((v) => {
    if (/[\p{Cc}]/u.test(v)) return false;
    const parsed = addressparser(v, { flatten: true });
    return parsed.length === 1 && /^[^@\s]+@[^@\s]+$/.test(parsed[0]?.address ?? '');
  }, 'must be one address, such as no-reply@example.com or "Example <no-reply@example.com>"');

export const mailEnvShape = {
  SMTP_URL: z
    .url({ error: 'must be a URL such as smtp://user:password@smtp.example.com:587' })
    .refine((v) => /^smtps?:\/\//i.test(v), 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: mailFrom.optional(),
  PRODUCT_NAME: productName.default('Harmonic'),
  MAIL_RETRY_LIMIT: int(0, 20).default(6),
  MAIL_RETRY_DELAY_SECONDS: int(1, 3600).default(30),
};

export interface MailConfig {
  /** Absent: every email is printed on the console instead of sent. */
  smtpUrl: string | undefined;
  from: string;
  productName: string;
  /** Retries after the first attempt, and the first delay, doubling each time (30 s … about 30 min by default). */
  retry: { limit: number; delaySeconds: number };
}

export function toMailConfig(e: {
  SMTP_URL?: string | undefined;
  MAIL_FROM?: string | undefined;
  PRODUCT_NAME: string;
  MAIL_RETRY_LIMIT: number;
  MAIL_RETRY_DELAY_SECONDS: number;
}): MailConfig {
  return {
    smtpUrl: e.SMTP_URL,
    from: e.MAIL_FROM ?? `${e.PRODUCT_NAME} <no-reply@localhost>`,
    productName: e.PRODUCT_NAME,
    retry: { limit: e.MAIL_RETRY_LIMIT, delaySeconds: e.MAIL_RETRY_DELAY_SECONDS },
  };
}
