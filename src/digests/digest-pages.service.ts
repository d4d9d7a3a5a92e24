import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Piscina } from 'piscina';
import { EntityManager } from 'typeorm';

import { Clock } from '../common/clock.js';
import type { DigestPayload } from './digest-builder.service.js';
import { DIGEST_PAGE_VERSION, gzipEtag } from './digest-page.js';
import type { PageTask, RenderedPageBytes } from './digest-page.worker.js';
import { DigestsRepository } from './digests.repository.js';

const gunzipAsync = promisify(gunzip);

/** A render worker that has had nothing to do this long exits (pages are rendered once per digest). */
const WORKER_IDLE_MS = 30_000;

/**
 * The page worker's compiled file: beside this module, or in dist/ when this module runs from its
 * TypeScript source (jest compiles the source, but a worker thread loads plain JavaScript).
 */
function workerFile(): string {
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(
    fromSource ? '../../dist/src/digests/digest-page.worker.js' : './digest-page.worker.js',
    import.meta.url,
  ).href;
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Bytes of rendered pages one instance keeps in memory (HTML in both encodings and the chart). */
export const PAGE_CACHE_BYTES = 64 * 2 ** 20;

/** A run's page ready to send: its HTML plain and gzipped, the chart, and their validators. */
export interface DigestPage {
  html: Buffer;
  gzip: Buffer;
  chart: Buffer;
  etag: string;
  gzipEtag: string;
  chartEtag: string;
}

/**
 * Each run's web page is rendered once, from its stored payload, and stored (digest_rendering) for
 * every instance; each instance keeps the pages it serves in an LRU bounded in bytes. A stored
 * rendering of another DIGEST_PAGE_VERSION is rendered again on first use.
 */
@Injectable()
export class DigestPagesService implements OnModuleDestroy {
  /** Pages this instance has rendered (tests read it to tell a stored or cached page from a new one). */
  renders = 0;
  private readonly cache = new LRUCache<string, DigestPage>({
    maxSize: PAGE_CACHE_BYTES,
    sizeCalculation: (p) => p.html.length + p.gzip.length + p.chart.length,
    // concurrent requests for a page not yet in memory wait for one load (or render)
    fetchMethod: (runId) => this.load(runId),
  });

  private worker: Piscina<PageTask, RenderedPageBytes> | null = null;

  constructor(
    private readonly digests: DigestsRepository,
    private readonly clock: Clock,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.worker?.destroy();
    this.worker = null;
  }

  /** The run's page, from memory, else the stored rendering, else rendered now and stored. */
  async page(runId: string): Promise<DigestPage> {
    const page = await this.cache.fetch(runId);
    if (!page) throw new Error(`digest run ${runId} has no page`);
    return page;
  }

  /**
   * Renders a run's page (HTML, its gzip and the chart) in a worker thread, off the event loop. The
   * payload may be the stored JSON text, so that even parsing it happens there.
   */
  async render(payload: DigestPayload | string, name: string, zone: string): Promise<DigestPage> {
    this.renders++;
    this.worker ??= new Piscina({ filename: workerFile(), minThreads: 0, maxThreads: 1, idleTimeout: WORKER_IDLE_MS });
    const page = await this.worker.run({ payload, name, zone });
    return {
      html: asBuffer(page.html),
      gzip: asBuffer(page.gzip),
      chart: asBuffer(page.chart),
      etag: page.etag,
      gzipEtag: gzipEtag(page.etag),
      chartEtag: page.chartEtag,
    };
  }

  /** Stores a rendering for every instance; one of a newer version (another instance's) is kept. */
  async store(
    manager: EntityManager | undefined,
    run: { id: string; organizationId: string },
    page: DigestPage,
  ): Promise<void> {
    const stored = { etag: page.etag, chartEtag: page.chartEtag, htmlGzip: page.gzip, chart: page.chart };
    await this.digests.storeRendering(manager, run, DIGEST_PAGE_VERSION, stored, this.clock.now());
  }

  private async load(runId: string): Promise<DigestPage | undefined> {
    const stored = await this.digests.rendering(runId, DIGEST_PAGE_VERSION);
    if (stored) {
      const html = await gunzipAsync(stored.htmlGzip);
      return {
        html,
        gzip: stored.htmlGzip,
        chart: stored.chart,
        etag: stored.etag,
        gzipEtag: gzipEtag(stored.etag),
        chartEtag: stored.chartEtag,
      };
    }
    const run = await this.digests.runToRender(runId);
    if (!run) return undefined;
    const page = await this.render(run.payload, run.name, run.timezone);
    await this.store(undefined, { id: runId, organizationId: run.organizationId }, page);
    return page;
  }
}
