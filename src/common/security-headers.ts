import helmet from 'helmet';

/**
 * helmet's headers, with framing refused outright (no page of the service is ever framed), and
 * HTTPS insisted on only when the service is reached over it: `upgrade-insecure-requests` on a
 * plain-HTTP address sends the tester's form and the digest chart to an https:// that does not
 * answer. Referrer-Policy stays `no-referrer`, so a link's secret never leaves in a Referer.
 */
export function securityHeaders(publicUrl: string) {
  const https = publicUrl.startsWith('https:');
  return helmet({
    contentSecurityPolicy: { directives: { frameAncestors: ["'none'"], upgradeInsecureRequests: https ? [] : null } },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: https,
  });
}
