import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: API keys and tester links. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Secrets are high-entropy, so a fast hash is enough to store them: there is nothing to brute-force. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
