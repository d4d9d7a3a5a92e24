import { constants, gzipSync } from 'node:zlib';

import type { DigestPayload } from './digest-builder.service.js';
import { renderDigestPage } from './digest-page.js';

/** The page worker's task: the payload as built, or as stored (JSON text: parsed here, not on the event loop). */
export interface PageTask {
  payload: DigestPayload | string;
  name: string;
  zone: string;
}

export interface RenderedPageBytes {
  html: Uint8Array;
  gzip: Uint8Array;
  chart: Uint8Array;
  etag: string;
  chartEtag: string;
}

/**
 * Renders a digest's web page in a worker thread (piscina): a large one takes long enough to stall
 * every request of the instance if it ran on the event loop.
 */
export default function renderPage(task: PageTask): RenderedPageBytes {
  const payload = typeof task.payload === 'string' ? (JSON.parse(task.payload) as DigestPayload) : task.payload;
  const page = renderDigestPage(payload, task.name, task.zone);
  return { ...page, gzip: gzipSync(page.html, { level: constants.Z_BEST_COMPRESSION }) };
}
