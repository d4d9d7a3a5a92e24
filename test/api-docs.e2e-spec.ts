import { ROLES } from '../src/auth/roles.js';
import { createTestApp, TestApp } from './support/test-app.js';

interface Operation {
  summary?: string;
  description?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ in: string; name: string }>;
  responses: Record<string, { description?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
  'x-roles'?: string[];
}
interface OpenApi {
  info: { description: string };
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown> }>;
    securitySchemes: Record<string, { description?: string }>;
  };
}

/** The routes that need no key: health, and the signed links (/t, /f, /d), which the document leaves out. */
const PUBLIC = new Set(['GET /health']);
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let t: TestApp;
let doc: OpenApi;
let operations: Array<[string, Operation]>;

beforeAll(async () => {
  t = await createTestApp();
  doc = (await t.http().get('/api/docs-json').expect(200)).body as OpenApi;
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation]),
  );
});
afterAll(() => t.close());

const schemaOf = (op: Operation, status: string) => op.responses[status]?.content?.['application/json']?.schema?.$ref;

describe('the API document a newcomer reads', () => {
  it('lists the routes, and none of the signed links', () => {
    expect(operations.length).toBeGreaterThan(50);
    expect(Object.keys(doc.paths).filter((p) => /^\/[tfd]\//.test(p))).toEqual([]);
  });

  it('gives every operation a summary', () => {
    const without = operations.filter(([, op]) => !op.summary?.trim()).map(([route]) => route);
    expect(without).toEqual([]);
  });

  it('states the roles of every operation that needs a key, in x-roles and at the head of its description', () => {
    for (const [route, op] of operations) {
      if (PUBLIC.has(route)) {
        expect([route, op['x-roles']]).toEqual([route, undefined]);
        continue;
      }
      const roles = op['x-roles'] ?? [];
      expect([route, roles.length > 0]).toEqual([route, true]);
      for (const role of roles) expect([route, [...ROLES, 'self']]).toEqual([route, expect.arrayContaining([role])]);
      expect([route, op.description?.startsWith(`**Roles:** ${roles[0]}`)]).toEqual([route, true]);
    }
  });

  it('gives every operation that needs a key the bearer scheme and its 400, 401, 403 and 429 answers', () => {
    for (const [route, op] of operations) {
      if (PUBLIC.has(route)) continue;
      expect([route, op.security]).toEqual([route, [{ bearer: [] }]]);
      expect([route, Object.keys(op.responses)]).toEqual([route, expect.arrayContaining(['400', '401', '403', '429'])]);
      for (const status of ['401', '403', '429'])
        expect([route, status, schemaOf(op, status)]).toEqual([route, status, '#/components/schemas/ErrorBody']);
    }
  });

  it('says 404 where a path names a row, and 409 for every write', () => {
    for (const [route, op] of operations) {
      if (PUBLIC.has(route)) continue;
      const named = (op.parameters ?? []).some((p) => p.in === 'path');
      if (named) expect([route, op.responses['404']?.description]).toEqual([route, expect.any(String)]);
      if (WRITES.has(route.split(' ')[0]))
        expect([route, op.responses['409']?.description]).toEqual([route, expect.any(String)]);
    }
  });

  it('documents the 400 body: every failing field with its rule and message', () => {
    const [, create] = operations.find(([route]) => route === 'POST /api/v1/people')!;
    const ref = schemaOf(create, '400')!;
    const body = doc.components.schemas[ref.split('/').pop()!];
    expect(Object.keys(body.properties ?? {})).toEqual(['statusCode', 'error', 'message', 'errors']);
    expect(Object.keys(doc.components.schemas.FieldErrorView.properties ?? {})).toEqual(['field', 'rule', 'message']);
  });

  it('explains the header as `Authorization: Bearer <key>`, in code so the page shows it whole', () => {
    expect(doc.info.description).toContain('`Authorization: Bearer <key>`');
    expect(doc.components.securitySchemes.bearer.description).toContain('`Authorization: Bearer <key>`');
    // the old text, `"Authorization: Bearer <api key>"`, showed as `Bearer "`: markdown took <api key> for a tag
    expect(doc.info.description.replace(/`[^`]*`/g, '')).not.toContain('<');
  });

  it('answers as the document says: a route without a key gets 401 with the documented body', async () => {
    const res = await t.http().get('/api/v1/people').expect(401);
    expect(Object.keys(res.body)).toEqual(expect.arrayContaining(['statusCode', 'message']));
  });
});
