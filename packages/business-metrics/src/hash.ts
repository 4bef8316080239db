// Salted hashing: user and customer ids leave the process only as keyed SHA-256 digests.
import { createHash, randomBytes, type Hash } from 'node:crypto';

export type IdHasher = (id: string) => string;

/** A hasher keyed by `salt`: 128 bits of SHA-256(key || id) as 32 hex characters. */
export function createHasher(salt: string): IdHasher {
  // Hashing the salt first gives a fixed-size key; copying the primed state saves a block per id.
  const primed: Hash = createHash('sha256').update(createHash('sha256').update(salt).digest());
  return (id) => primed.copy().update(id, 'utf8').digest('hex').slice(0, 32);
}

export const PUBLIC_SALT = 'ai-orchestrator/business-metrics';

export function randomSalt(): string {
  return randomBytes(32).toString('hex');
}
