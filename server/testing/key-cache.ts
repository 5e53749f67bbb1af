import { vi } from 'vitest';
import { keyDigest } from '../keys/format.ts';
import type { Services } from '../services.ts';

/**
 * Waits until this instance's key cache no longer holds `key`'s owner as
 * suspended. The cache refuses a suspended owner without asking PostgreSQL, so
 * after a reactivation the key works again once the NOTIFY has evicted that
 * entry, which a busy machine can delay; the ceiling only guards a lost notification.
 */
export async function untilCacheForgetsSuspension(services: Services, key: string): Promise<void> {
  const cachedStatus = () => {
    const cached = services.keyCache.get(keyDigest(key));
    return typeof cached === 'object' ? cached.userStatus : 'not cached';
  };
  await vi.waitFor(() => {
    if (cachedStatus() === 'suspended') throw new Error('the key cache still holds the owner as suspended');
  }, { timeout: 30_000, interval: 5 });
}
