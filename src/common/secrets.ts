import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: API keys and tester links. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Secrets are high-entropy, so a fast hash is enough to store them: there is nothing to brute-force. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The shape of a secret from newSecret(): a link with anything else is not looked up at all. */
export function isSecret(text: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(text);
}
