import { createHash } from 'node:crypto';

import type { DigestPayload } from './digest-builder.service.js';
import { digestChartPng, digestChartSvgs, renderDigest, svgDataUri } from './digest-render.js';

/**
 * The version of the digest's web page. A stored rendering of another version is rendered again
 * from its run's payload, so bump this whenever the page's HTML or chart changes
 * (digest-page.spec.ts fails until the version and its fingerprint are updated together).
 */
export const DIGEST_PAGE_VERSION = 4;

export interface RenderedDigestPage {
  html: Buffer;
  chart: Buffer;
  etag: string;
  chartEtag: string;
}

/** A strong validator: the page version and 128 bits of the bytes' SHA-256, quoted as the ETag header wants. */
export function strongEtag(bytes: Buffer, version = DIGEST_PAGE_VERSION): string {
  return `"${version}-${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;
}

/** The gzipped representation's validator: another encoding is another representation. */
export function gzipEtag(etag: string): string {
  return `${etag.slice(0, -1)}-gz"`;
}

/**
 * The web page of one run, from its stored payload. It holds no link secret (the chart is inline, as SVG drawn for
 * a phone and for a wide screen), so every recipient's link shows the same bytes and one rendering serves them all.
 * The PNG (the mail's chart, also at the link's chart.png) is rendered and stored beside it.
 */
export function renderDigestPage(payload: DigestPayload, name: string, zone: string): RenderedDigestPage {
  const png = digestChartPng(payload, name, zone);
  const svgs = digestChartSvgs(payload, name, zone);
  const ctx = { name, zone, link: '', chartSrc: svgDataUri(svgs.narrow), chartWideSrc: svgDataUri(svgs.wide) };
  const html = Buffer.from(renderDigest(payload, ctx).html, 'utf8');
  return { html, chart: png, etag: strongEtag(html), chartEtag: strongEtag(png) };
}
