import { QuotaAlert } from '../alerts/entity.ts';
import { AdminAccount } from '../admin/accounts/entity.ts';
import { AdminSession, AuthThrottle } from '../admin/auth/entity.ts';
import { AuditEvent } from '../audit/entity.ts';
import { BillingEvent, BillingReconciliation, Invoice, Subscription } from '../billing/entity.ts';
import { AccountToken, CustomerSession } from '../customers/entity.ts';
import { KbEntry } from '../kb/entity.ts';
import { ApiKey, KeyUsage } from '../keys/entity.ts';
import { ManagementKey } from '../management/entity.ts';
import { Settings } from '../settings/entity.ts';
import { Tier } from '../tiers/entity.ts';
import { DemoCounter, UsageCounter, UsageEvent, UsageSummary } from '../usage/entity.ts';
import { RefusalCounter } from '../usage/refusals/entity.ts';
import { User } from '../users/entity.ts';
import { WebhookDelivery, WebhookEndpoint } from '../webhooks/entity.ts';

/** Every entity, listed explicitly so discovery never depends on file globs. */
export const entities = [
  Tier,
  User,
  ApiKey,
  KeyUsage,
  UsageCounter,
  DemoCounter,
  UsageEvent,
  UsageSummary,
  RefusalCounter,
  AuditEvent,
  KbEntry,
  AdminAccount,
  AdminSession,
  AuthThrottle,
  ManagementKey,
  CustomerSession,
  AccountToken,
  Settings,
  BillingEvent,
  Subscription,
  Invoice,
  BillingReconciliation,
  WebhookEndpoint,
  WebhookDelivery,
  QuotaAlert,
];
