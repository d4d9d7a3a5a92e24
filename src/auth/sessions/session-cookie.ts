import type { Request, Response } from 'express';

/** The console session's cookie: HttpOnly (never readable by scripts), SameSite=Lax, Secure under https. */
export const SESSION_COOKIE = 'gt_session';

/** One cookie's value from the request's Cookie header (the console reads no other cookie). */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function setSessionCookie(req: Request, res: Response, token: string, maxAgeMs: number): void {
  // req.secure follows X-Forwarded-Proto only from the proxies TRUST_PROXY names
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    path: '/',
    maxAge: maxAgeMs,
  });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
}
