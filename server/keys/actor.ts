import type { Actor } from '../audit/service.ts';
import type { VerifiedKey } from './cache.ts';
import { maskKey } from './format.ts';

/** An API key acting for its own user, as the audit log names it. */
export function keyActor(key: VerifiedKey, ip: string | null): Actor {
  return { type: 'api_key', id: key.keyId, label: maskKey(key.lookupId), ip };
}
