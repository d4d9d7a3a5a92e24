import sharp from 'sharp';

import { ManualClock } from '../src/common/clock.js';
import { EVIDENCE_LIMITS } from '../src/evidence/evidence-rules.js';
import { accessWorlds, AccessWorld } from './support/access-world.js';
import { sessionFor, textOf } from './support/console.js';
import { photoWithLocation, pdf, png, wav } from './support/evidence-files.js';
import { auth } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

let t: TestApp;
let own: AccessWorld;
let other: AccessWorld;

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock('2027-02-28T12:00:00Z') });
  ({ own, other } = await accessWorlds(t));
});
afterAll(() => t.close());

const evidencePath = (w: AccessWorld, id = '') => `/api/v1/outcomes/${w.outcome}/evidence${id ? `/${id}` : ''}`;

function attach(w: AccessWorld, content: Buffer, name: string, type = 'application/octet-stream', key = w.key.tester) {
  return t.http().post(evidencePath(w)).set(auth(key)).attach('file', content, { filename: name, contentType: type });
}

/** A download's bytes, whatever its type (supertest parses only text and JSON by itself). */
function download(w: AccessWorld, id: string, key: string) {
  return t
    .http()
    .get(evidencePath(w, id))
    .set(auth(key))
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

async function clearEvidence(w: AccessWorld) {
  await t.dataSource.query('DELETE FROM evidence WHERE outcome_id = $1', [w.outcome]);
}

describe('evidence attached to a contact', () => {
  afterEach(() => clearEvidence(own));

  it('re-encodes a photo without its EXIF and GPS position, upright, and serves it only as an attachment', async () => {
    const photo = await photoWithLocation(64, 48);
    expect(await sharp(photo).metadata()).toMatchObject({ exif: expect.any(Buffer), orientation: 6 });
    const res = await attach(own, photo, 'IMG_0042.JPG', 'image/jpeg').expect(201);
    expect(res.body).toMatchObject({
      outcomeId: own.outcome,
      kind: 'image',
      contentType: 'image/jpeg',
      fileName: 'IMG_0042.jpg',
      metadataStripped: true,
      uploadedBy: own.person.tester.id,
    });
    const got = await download(own, res.body.id, own.key.quality).expect(200);
    expect(got.headers['content-type']).toBe('image/jpeg');
    expect(got.headers['content-disposition']).toMatch(/^attachment; filename="?IMG_0042\.jpg"?$/);
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['cache-control']).toBe('private, no-store');
    const kept = got.body as Buffer;
    expect(kept.length).toBe(res.body.bytes);
    const meta = await sharp(kept).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    // the orientation tag went with the rest, so the pixels were turned: 64×48 shot sideways is 48×64
    expect([meta.width, meta.height]).toEqual([48, 64]);
    for (const trace of ['Ann Tester', 'PhoneCo', 'GPS']) expect(kept.includes(trace)).toBe(false);
  });

  it('reads the type from the content, not from the name or the browser', async () => {
    const disguised = await attach(own, await png(), 'letter.pdf', 'application/pdf').expect(201);
    expect(disguised.body).toMatchObject({ kind: 'image', contentType: 'image/png', fileName: 'letter.png' });

    const letter = await attach(own, pdf(), 'scan', 'image/jpeg').expect(201);
    expect(letter.body).toMatchObject({ kind: 'pdf', contentType: 'application/pdf', metadataStripped: false });
    const call = await attach(own, wav(), 'my side.mp3', 'audio/mpeg').expect(201);
    expect(call.body).toMatchObject({ kind: 'audio', contentType: 'audio/wav', fileName: 'my side.wav' });

    const script = await attach(own, Buffer.from('<script>alert(1)</script>'), 'photo.jpg', 'image/jpeg').expect(415);
    expect(script.body.errors).toEqual([expect.objectContaining({ field: 'file', rule: 'fileType' })]);
    expect(script.body.message).toMatch(/JPEG, PNG or WebP image, a PDF, or an audio recording/);
  });

  it('names the field and the rule when a file is missing, too large, or one too many', async () => {
    const none = await t.http().post(evidencePath(own)).set(auth(own.key.tester)).field('note', 'x').expect(400);
    expect(none.body.errors).toEqual([expect.objectContaining({ field: 'file', rule: 'required' })]);

    const huge = Buffer.concat([pdf(), Buffer.alloc(EVIDENCE_LIMITS.fileBytes)]);
    const big = await attach(own, huge, 'big.pdf').expect(413);
    expect(big.body.errors).toEqual([expect.objectContaining({ field: 'file', rule: 'fileBytes' })]);
    expect(big.body.message).toBe('file must be at most 20 MB');

    for (let i = 0; i < EVIDENCE_LIMITS.filesPerContact; i++) await attach(own, pdf(), `p${i}.pdf`).expect(201);
    const full = await attach(own, pdf(), 'one-more.pdf').expect(409);
    expect(full.body.errors).toEqual([expect.objectContaining({ field: 'file', rule: 'filesPerContact' })]);
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM evidence WHERE outcome_id = $1', [
      own.outcome,
    ]);
    expect(n).toBe(EVIDENCE_LIMITS.filesPerContact);
  });

  it('refuses a damaged image as unreadable, not with a 500', async () => {
    const photo = await photoWithLocation();
    const res = await attach(own, photo.subarray(0, 200), 'cut.jpg').expect(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'file', rule: 'unreadable' })]);
  });

  it('stores the bytes in PostgreSQL by default, and a removed file takes its bytes with it', async () => {
    const res = await attach(own, pdf(), 'letter.pdf').expect(201);
    const [row] = await t.dataSource.query(
      'SELECT e.storage, length(b.content) AS n FROM evidence e JOIN evidence_blob b ON b.evidence_id = e.id WHERE e.id = $1',
      [res.body.id],
    );
    expect(row).toEqual({ storage: 'postgres', n: pdf().length });
    await t.http().delete(evidencePath(own, res.body.id)).set(auth(own.key.tester)).expect(204);
    const left = await t.dataSource.query('SELECT 1 FROM evidence_blob WHERE evidence_id = $1', [res.body.id]);
    expect(left).toEqual([]);
    await download(own, res.body.id, own.key.quality).expect(404);
  });
});

describe('who may attach and see evidence', () => {
  let fileId: string;
  beforeAll(async () => {
    fileId = (await attach(own, await png(), 'ticket.png').expect(201)).body.id;
  });

  it('lets quality and admins of the organization list and download it', async () => {
    for (const key of [own.key.quality, own.key.admin]) {
      const list = await t.http().get(evidencePath(own)).set(auth(key)).expect(200);
      expect(list.body.total).toBe(1);
      expect(list.body.items[0]).toMatchObject({ id: fileId, fileName: 'ticket.png' });
      expect(list.body.items[0]).not.toHaveProperty('organizationId');
      await download(own, fileId, key).expect(200);
    }
  });

  it("never shows it to the touchpoint's owner, nor to the tester once sent", async () => {
    for (const key of [own.key.owner, own.key.tester]) {
      await t.http().get(evidencePath(own)).set(auth(key)).expect(403);
      await download(own, fileId, key).expect(403);
    }
  });

  it('answers another organization as if the contact and file did not exist', async () => {
    for (const key of [other.key.quality, other.key.admin]) {
      await t.http().get(evidencePath(own)).set(auth(key)).expect(404);
      await download(own, fileId, key).expect(404);
    }
    await attach(own, await png(), 'x.png', 'image/png', other.key.tester).expect(404);
  });

  it("lets only the contact's tester attach: not the owner, not quality", async () => {
    await attach(own, await png(), 'x.png', 'image/png', own.key.owner).expect(403);
    await attach(own, await png(), 'x.png', 'image/png', own.key.quality).expect(403);
  });

  it('closes with the edit period: no more files, and the tester can no longer remove one', async () => {
    const [{ editable_until: until }] = await t.dataSource.query('SELECT editable_until FROM outcome WHERE id = $1', [
      own.outcome,
    ]);
    const before = t.clock.now();
    t.clock.set(new Date(until.getTime() + 1000));
    try {
      const late = await attach(own, await png(), 'late.png').expect(409);
      expect(late.body.message).toMatch(/while the outcome can be edited/);
      await t.http().delete(evidencePath(own, fileId)).set(auth(own.key.tester)).expect(409);
      // an admin still can (a file that should never have been kept)
      await t.http().delete(evidencePath(own, fileId)).set(auth(own.key.admin)).expect(204);
    } finally {
      t.clock.set(before);
    }
  });
});

describe("evidence through the tester's link", () => {
  afterEach(() => clearEvidence(own));
  const page = () => `/t/${own.testerLink}`;

  it('shows the form with the warning, takes a file, and lists it', async () => {
    const before = await t.http().get(page()).expect(200);
    expect(textOf(before.text)).toContain('Never photograph or record staff or other customers');
    expect(before.text).toContain('enctype="multipart/form-data"');
    const posted = await t
      .http()
      .post(`${page()}/evidence`)
      .attach('file', await photoWithLocation(), 'queue ticket.jpg')
      .expect(303);
    expect(posted.headers.location).toBe(`${page()}#evidence`);
    const after = await t.http().get(page()).expect(200);
    expect(textOf(after.text)).toMatch(/queue ticket\.jpg \(image, \d+ kB\)/);
    const [row] = await t.dataSource.query('SELECT uploaded_by FROM evidence WHERE outcome_id = $1', [own.outcome]);
    expect(row.uploaded_by).toBe(own.person.tester.id);
  });

  it('shows a refused file next to the file field, and stores nothing', async () => {
    const res = await t
      .http()
      .post(`${page()}/evidence`)
      .attach('file', Buffer.from('MZ\x90\x00 not a photo'), 'photo.jpg')
      .expect(415);
    expect(res.text).toMatch(
      /<p class="error" id="evidence-file-error">file is application\/x-msdownload; it must be a JPEG/,
    );
    const rows = await t.dataSource.query('SELECT 1 FROM evidence WHERE outcome_id = $1', [own.outcome]);
    expect(rows).toEqual([]);
  });

  it('lets the tester remove a wrong file', async () => {
    await t.http().post(`${page()}/evidence`).attach('file', pdf(), 'wrong.pdf').expect(303);
    const [row] = await t.dataSource.query('SELECT id FROM evidence WHERE outcome_id = $1', [own.outcome]);
    await t.http().post(`${page()}/evidence/${row.id}/remove`).expect(303);
    expect(textOf((await t.http().get(page()).expect(200)).text)).toContain('No files attached.');
  });

  it('answers a wrong link with its 404 page, without taking the file', async () => {
    const wrong = `/t/${'x'.repeat(43)}/evidence`;
    const res = await t.http().post(wrong).attach('file', pdf(), 'letter.pdf').expect(404);
    expect(res.text).toContain('This link is not valid');
    expect(await t.dataSource.query('SELECT 1 FROM evidence')).toEqual([]);
  });
});

describe("evidence in the console's contact drill-down", () => {
  let fileId: string;
  beforeAll(async () => {
    fileId = (await attach(own, wav(), 'my side of the call.wav').expect(201)).body.id;
  });
  afterAll(() => clearEvidence(own));

  it('lists the files for quality, each downloaded as an attachment', async () => {
    const quality = await sessionFor(t, { organizationId: own.org.orgId, personId: own.person.quality.id });
    const contact = await t.http().get(`/contacts/${own.outcome}`).set('Cookie', quality.cookie).expect(200);
    expect(contact.text).toContain(`href="/contacts/${own.outcome}/evidence/${fileId}"`);
    expect(textOf(contact.text)).toContain('my side of the call.wav');
    expect(textOf(contact.text)).toContain('kept as the tester sent it');
    const file = await t
      .http()
      .get(`/contacts/${own.outcome}/evidence/${fileId}`)
      .set('Cookie', quality.cookie)
      .expect(200);
    expect(file.headers['content-type']).toBe('audio/wav');
    expect(file.headers['content-disposition']).toMatch(/^attachment;/);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
  });

  it("is closed to the touchpoint's owner and to another organization's quality team", async () => {
    const owner = await sessionFor(t, { organizationId: own.org.orgId, personId: own.person.owner.id });
    await t.http().get(`/contacts/${own.outcome}/evidence/${fileId}`).set('Cookie', owner.cookie).expect(403);
    const theirs = await sessionFor(t, { organizationId: other.org.orgId, personId: other.person.quality.id });
    await t.http().get(`/contacts/${own.outcome}/evidence/${fileId}`).set('Cookie', theirs.cookie).expect(404);
  });
});

describe("evidence through the console's My tests", () => {
  afterEach(() => clearEvidence(own));

  it('attaches with the form token, shows the file, and removes it', async () => {
    const tester = await sessionFor(t, { organizationId: own.org.orgId, personId: own.person.tester.id });
    const path = `/my/tests/${own.completed}`;
    const form = await t.http().get(path).set('Cookie', tester.cookie).expect(200);
    expect(textOf(form.text)).toContain('Never photograph or record staff or other customers');
    const posted = await t
      .http()
      .post(`${path}/evidence`)
      .set('Cookie', tester.cookie)
      .field('_csrf', tester.csrf)
      .attach('file', pdf(), 'letter from the shop.pdf')
      .expect(303);
    expect(posted.headers.location).toBe(`${path}#evidence`);
    const shown = await t.http().get(path).set('Cookie', tester.cookie).expect(200);
    expect(textOf(shown.text)).toMatch(/letter from the shop\.pdf \(pdf/);
    const [row] = await t.dataSource.query('SELECT id FROM evidence WHERE outcome_id = $1', [own.outcome]);
    await t
      .http()
      .post(`${path}/evidence/${row.id}/remove`)
      .set('Cookie', tester.cookie)
      .type('form')
      .send({ _csrf: tester.csrf })
      .expect(303);
    expect(await t.dataSource.query('SELECT 1 FROM evidence WHERE outcome_id = $1', [own.outcome])).toEqual([]);
  });

  it('refuses an upload without the form token, and names a refused file next to the field', async () => {
    const tester = await sessionFor(t, { organizationId: own.org.orgId, personId: own.person.tester.id });
    const path = `/my/tests/${own.completed}/evidence`;
    await t.http().post(path).set('Cookie', tester.cookie).attach('file', pdf(), 'letter.pdf').expect(403);
    const refused = await t
      .http()
      .post(path)
      .set('Cookie', tester.cookie)
      .field('_csrf', tester.csrf)
      .attach('file', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'photo.png')
      .expect(415);
    expect(refused.text).toContain('id="evidence-file-error"');
    expect(await t.dataSource.query('SELECT 1 FROM evidence WHERE outcome_id = $1', [own.outcome])).toEqual([]);
  });
});
