import type { BcryptPool } from './bcrypt-pool.ts';
import type { KeyFormat } from './format.ts';

export interface IssuedCredential {
  /** The plaintext: returned once to whoever asked for the key, never stored. */
  key: string;
  lookupId: string;
  /** bcrypt hash of the whole key, from the worker pool. */
  keyHash: string;
}

/**
 * A fresh key of `format` with a lookup id no row holds yet, and its hash.
 * 62^8 lookup ids make a collision vanishingly rare, but the unique index is the
 * judge: after a few tries the caller's insert decides.
 */
export async function issueCredential(
  format: KeyFormat,
  taken: (lookupId: string) => Promise<boolean>,
  hashing: { bcrypt: BcryptPool; cost: number },
): Promise<IssuedCredential> {
  for (let attempt = 0; ; attempt++) {
    const generated = format.generate();
    if (attempt < 3 && (await taken(generated.lookupId))) continue;
    return { ...generated, keyHash: await hashing.bcrypt.hash(generated.key, hashing.cost) };
  }
}
