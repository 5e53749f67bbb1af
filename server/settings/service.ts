import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AdminSettings, UpdateSettingsInput } from '../../shared/admin.ts';
import { audit, type Actor } from '../audit/service.ts';
import { Settings } from './entity.ts';

/**
 * The settings admins change at run time (`admin.settings.*`), in one row so every instance reads
 * the same values on its next request. Environment variables can only narrow them: with
 * SIGNUP_ENABLED=false nobody signs up whatever the setting says.
 */
export class SettingsService {
  private readonly signupAllowedByServer: boolean;

  constructor(deps: { config: { portal: { signupEnabled: boolean } } }) {
    this.signupAllowedByServer = deps.config.portal.signupEnabled;
  }

  /** The row; the migration creates it, and a restored dump without it means the defaults. */
  async get(em: EntityManager): Promise<Settings> {
    return (await em.findOne(Settings, { id: 1 })) ?? em.create(Settings, { id: 1, signupEnabled: true }, { persist: false });
  }

  async view(em: EntityManager): Promise<AdminSettings> {
    return this.viewOf(await this.get(em));
  }

  async update(em: EntityManager, input: UpdateSettingsInput, actor: Actor): Promise<AdminSettings> {
    return em.transactional(async (tx) => {
      // Locked, so two admins' changes apply one after the other and each audits what it really changed.
      const settings = (await tx.findOne(Settings, { id: 1 }, { lockMode: LockMode.PESSIMISTIC_WRITE })) ?? tx.create(Settings, { id: 1, signupEnabled: true });
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (input.signupEnabled !== undefined && input.signupEnabled !== settings.signupEnabled) {
        changes['signupEnabled'] = { from: settings.signupEnabled, to: input.signupEnabled };
        settings.signupEnabled = input.signupEnabled;
      }
      if (Object.keys(changes).length) {
        audit(tx, actor, { action: 'settings.updated', target: { type: 'settings', id: null }, details: changes });
        await tx.flush();
      }
      return this.viewOf(settings);
    });
  }

  private viewOf(settings: Settings): AdminSettings {
    return {
      signupEnabled: settings.signupEnabled,
      signupAllowedByServer: this.signupAllowedByServer,
      signupOpen: settings.signupEnabled && this.signupAllowedByServer,
    };
  }
}
