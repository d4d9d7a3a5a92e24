import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import sharp from 'sharp';

import { photoWithLocation, pdf } from './support/evidence-files.js';
import { auth, created, newOrganization, personWithKey, touchpointBody } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * Evidence in S3-compatible object storage, against a real S3 server (s3rver, from npm) on this machine: the
 * service speaks S3's HTTP API to it exactly as it would to AWS S3, MinIO or any other.
 */
const BUCKET = 'gt-evidence';
const KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }; // s3rver's own fixed credentials

let dir: string;
let server: S3rver;
let endpoint: string;
let s3: S3Client;
let t: TestApp;
let plain: TestApp;
let tester: string;
let quality: string;
let outcome: string;

const objectKey = (orgId: string, id: string) => `gt/evidence/${orgId}/${id}`;

async function object(key: string): Promise<Buffer | null> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return null;
    throw error;
  }
}

function download(app: TestApp, id: string) {
  return app
    .http()
    .get(`/api/v1/outcomes/${outcome}/evidence/${id}`)
    .set(auth(quality))
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

let orgId: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gt-s3-'));
  server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: KEYS });
  t = await createTestApp({
    env: {
      EVIDENCE_S3_BUCKET: BUCKET,
      EVIDENCE_S3_ENDPOINT: endpoint,
      EVIDENCE_S3_ACCESS_KEY_ID: KEYS.accessKeyId,
      EVIDENCE_S3_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
      EVIDENCE_S3_PREFIX: 'gt/',
    },
  });
  // a second instance on the same database, configured before object storage was (PostgreSQL only)
  plain = await createTestApp({ databaseUrl: t.databaseUrl });
  const org = await newOrganization(t);
  orgId = org.orgId;
  tester = (await personWithKey(t, org.adminKey, ['tester'])).key;
  quality = (await personWithKey(t, org.adminKey, ['quality'])).key;
  const touchpointId = (await created(t, org.adminKey, '/api/v1/touchpoints', touchpointBody())).id;
  const made = await t
    .http()
    .post('/api/v1/outcomes')
    .set(auth(tester))
    .send({
      touchpointId,
      attemptedAt: new Date(t.clock.now().getTime() - 600_000).toISOString(),
      reachedHuman: false,
      resolution: 'unresolved',
      optionsExplained: false,
    });
  if (made.status !== 201) throw new Error(`outcome not recorded: ${made.status} ${JSON.stringify(made.body)}`);
  outcome = made.body.id;
});
afterAll(async () => {
  await plain?.close();
  await t?.close();
  s3?.destroy();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('evidence in S3-compatible object storage', () => {
  it('puts the cleaned file in the bucket, not in PostgreSQL, and serves it back', async () => {
    const res = await t
      .http()
      .post(`/api/v1/outcomes/${outcome}/evidence`)
      .set(auth(tester))
      .attach('file', await photoWithLocation(), 'ticket.jpg')
      .expect(201);
    const [row] = await t.dataSource.query('SELECT storage FROM evidence WHERE id = $1', [res.body.id]);
    expect(row.storage).toBe('s3');
    expect(await t.dataSource.query('SELECT 1 FROM evidence_blob')).toEqual([]);
    const stored = await object(objectKey(orgId, res.body.id));
    expect(stored).not.toBeNull();
    expect((await sharp(stored!).metadata()).exif).toBeUndefined();
    const got = await download(t, res.body.id).expect(200);
    expect(Buffer.compare(got.body as Buffer, stored!)).toBe(0);
    expect(got.headers['content-disposition']).toMatch(/^attachment;/);
  });

  it('takes the object away with the file', async () => {
    const res = await t
      .http()
      .post(`/api/v1/outcomes/${outcome}/evidence`)
      .set(auth(tester))
      .attach('file', pdf(), 'letter.pdf')
      .expect(201);
    expect(await object(objectKey(orgId, res.body.id))).not.toBeNull();
    await t.http().delete(`/api/v1/outcomes/${outcome}/evidence/${res.body.id}`).set(auth(tester)).expect(204);
    expect(await object(objectKey(orgId, res.body.id))).toBeNull();
  });

  it('reads each file from the store its row names, so files kept before the switch stay readable', async () => {
    const before = await plain
      .http()
      .post(`/api/v1/outcomes/${outcome}/evidence`)
      .set(auth(tester))
      .attach('file', pdf(), 'kept-in-postgres.pdf')
      .expect(201);
    const [row] = await t.dataSource.query('SELECT storage FROM evidence WHERE id = $1', [before.body.id]);
    expect(row.storage).toBe('postgres');
    expect((await download(t, before.body.id).expect(200)).body).toEqual(pdf());
    // and an instance without object storage says why it cannot serve a file kept there
    const [inS3] = await t.dataSource.query("SELECT id FROM evidence WHERE storage = 's3' LIMIT 1");
    const refused = await plain.http().get(`/api/v1/outcomes/${outcome}/evidence/${inS3.id}`).set(auth(quality));
    expect(refused.status).toBe(503);
    expect(refused.body.message).toMatch(/kept in s3 storage, which is not configured/);
  });
});
