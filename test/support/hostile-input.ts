import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';

/**
 * Generators of hostile input for the fuzz specs: wrong types, huge and odd numbers, empty and
 * 100 kB strings, nested junk, unicode that breaks things (lone surrogates, NUL, RTL), SQL and
 * HTML fragments; and, from an OpenAPI schema, bodies that are nearly valid so that requests get
 * past the first check and into the services.
 */

export const HUGE_STRING = 'x'.repeat(100_000);

export const SQL_FRAGMENTS = [
  "'; DROP TABLE person; --",
  '1 OR 1=1',
  "' OR '1'='1",
  "x' OR 1=1 --",
  '1; DELETE FROM outcome',
  "') UNION ALL SELECT NULL, NULL --",
  '$1',
  '%',
  '_',
  '\\',
  "'",
  '"',
  ';',
];

export const HTML_FRAGMENTS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  'javascript:alert(1)',
  '<!--',
  '&amp;&lt;',
  '{{7*7}}',
  '${7*7}',
];

export const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF',
  'x\uDBFFy',
  '\u202Eevil\u202C',
  '\u200B',
  '\uFEFF',
  '\r\n',
  'Ann\r\nBcc: fuzz@example.org',
  '\t',
  '🙂👍🏽',
  'e\u0301',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e309',
  '9'.repeat(40),
  '-1',
  '0x1F',
  '1.5',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '2026-02-30',
  '0000-01-01',
  '275760-09-13',
  '2026-11-02T09:00:00+99:00',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  'ffffffff-ffff-ffff-ffff-ffffffffffff0',
  'Europe/Atlantis',
  '* * * * * *',
  '0 0 31 2 *',
  'mon-fri 09:00-17:00; sun-mon 25:00-26:00',
  HUGE_STRING,
];

/** Any UTF-16 code unit, lone surrogates and control characters included. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD_STRINGS, ...SQL_FRAGMENTS, ...HTML_FRAGMENTS) },
  { weight: 2, arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...SQL_FRAGMENTS, ...HTML_FRAGMENTS), fc.constantFrom(...ODD_STRINGS.slice(0, 20)))
      .map(([a, b]) => a + b),
  },
);

/** Stands for a number JSON.stringify cannot write (1e999 parses to Infinity): see `jsonText`. */
export const INFINITE = '\u0001infinite\u0001';

export const hostileNumber: fc.Arbitrary<number | string> = fc.oneof(
  fc.constantFrom<number | string>(
    0,
    -1,
    -0,
    0.5,
    2 ** 31,
    2 ** 31 - 1,
    -(2 ** 31) - 1,
    2 ** 53 + 1,
    1e308,
    -1e308,
    Number.MIN_VALUE,
    1e-9,
    INFINITE,
  ),
  fc.integer(),
  fc.double(),
);

const hostileKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    '$where',
    '$gt',
    'a.b',
    '0',
    '',
    'id',
    'organizationId',
    'x'.repeat(1000),
  ),
  fc.string({ unit: anyCodeUnit, maxLength: 10 }),
);

/** Any JSON value, nested a little, made of hostile pieces. */
export const junk: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** JSON text of a generated value (with the stand-ins for infinite numbers put back). */
export function jsonText(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').split(JSON.stringify(INFINITE)).join('1e999');
}

/** Bodies that are not what the route expects at all, as raw JSON text. */
export const RAW_JSON = [
  '',
  '{',
  '{"a":1e999}',
  'nul',
  '"just a string"',
  '42',
  '[]',
  '[{}]',
  '{"__proto__":{"roles":["admin"]},"constructor":{"prototype":{"x":1}}}',
  '\u0000',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
  `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`,
];

/** Percent-encodes every byte but the unreserved ones (lone surrogates become U+FFFD, as in any UTF-8 encoder). */
export function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** A path segment: a real id, a random UUID, junk, or a malformed escape (already encoded). */
export function pathSegment(realIds: string[]): fc.Arbitrary<string> {
  const arbs: Array<fc.WeightedArbitrary<string>> = [
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.uuid().map((u) => u.toUpperCase()) },
    { weight: 3, arbitrary: hostileString.filter((s) => s.length > 0 && s.length < 10_000).map(percentEncode) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('%', '%zz', '%ED%A0%80', '%00', '%2F', '..', '%2e%2e', '%C0%AF', 'x'.repeat(20_000)),
    },
  ];
  if (realIds.length) arbs.push({ weight: 4, arbitrary: fc.constantFrom(...realIds) });
  return fc.oneof(...arbs);
}

export interface OpenApiSchema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  items?: OpenApiSchema;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  allOf?: OpenApiSchema[];
  nullable?: boolean;
  additionalProperties?: unknown;
}

export interface SchemaWorld {
  schemas: Record<string, OpenApiSchema>;
  /** Real ids (or addresses) worth sending for a property of this name, if any. */
  idsFor(property: string): string[];
}

function resolve(schema: OpenApiSchema, world: SchemaWorld): OpenApiSchema {
  let s = schema;
  while (s.$ref) s = world.schemas[s.$ref.replace('#/components/schemas/', '')] ?? {};
  if (s.allOf)
    s = s.allOf.reduce<OpenApiSchema>((acc, part) => {
      const r = resolve(part, world);
      return {
        ...acc,
        ...r,
        properties: { ...acc.properties, ...r.properties },
        required: [...(acc.required ?? []), ...(r.required ?? [])],
      };
    }, {});
  return s;
}

const iso = (min: string, max: string, dateOnly: boolean) =>
  fc
    .date({ min: new Date(min), max: new Date(max), noInvalidDate: true })
    .map((d) => (dateOnly ? d.toISOString().slice(0, 10) : d.toISOString()));

/** A value that satisfies (or nearly satisfies) the schema of a property named `name`. */
export function plausible(
  name: string,
  schema: OpenApiSchema,
  world: SchemaWorld,
  depth: number,
): fc.Arbitrary<unknown> {
  const s = resolve(schema, world);
  const ids = world.idsFor(name);
  if (ids.length && (s.type === 'string' || !s.type)) return fc.constantFrom(...ids);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  if (s.type === 'array') {
    const item = s.items ? resolve(s.items, world) : {};
    const singular = name.replace(/s$/, '').replace(/Ids$/, 'Id');
    const itemArb = ids.length
      ? fc.constantFrom(...ids)
      : world.idsFor(singular).length
        ? fc.constantFrom(...world.idsFor(singular))
        : plausible(singular, item, world, depth + 1);
    return fc.array(itemArb, { maxLength: depth > 1 ? 1 : 3 });
  }
  if (s.type === 'object' || s.properties)
    return s.properties
      ? nearlyValid(s, world, depth + 1)
      : fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxKeys: 3 });
  if (s.type === 'integer' || s.type === 'number') {
    const min = s.minimum ?? -5;
    const max = s.maximum ?? Math.max(min + 1000, 1000);
    return s.type === 'integer' || Number.isInteger(min)
      ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
      : fc.double({ min, max, noNaN: true });
  }
  if (s.type === 'boolean') return fc.boolean();
  if (/email|recipients/i.test(name)) return fc.nat(99_999).map((n) => `fuzz${n}@example.org`);
  if (/timezone/i.test(name)) return fc.constantFrom('UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata');
  if (/^(open|close|start|end)$/.test(name)) return fc.constantFrom('00:00', '09:00', '17:30', '24:00');
  if (/^(from|to|periodStart|periodEnd|startsOn|endsOn|promisedFollowUpBy)$/.test(name))
    return iso('2026-01-01', '2027-12-31', true);
  if (/At$/.test(name)) return iso('2026-10-01', '2027-03-31', false);
  if (name === 'cron') return fc.constantFrom('0 8 * * 1', '*/5 * * * *', '0 0 1 * *');
  if (s.format === 'uuid') return fc.uuid();
  const example = s.example !== undefined ? [fc.constant(s.example)] : [];
  return fc.oneof(...example, fc.string({ minLength: 1, maxLength: 20 }));
}

/** An object shaped by the schema: most properties plausible, some hostile, some missing, some extra. */
export function nearlyValid(
  schema: OpenApiSchema,
  world: SchemaWorld,
  depth = 0,
): fc.Arbitrary<Record<string, unknown>> {
  const s = resolve(schema, world);
  const props = Object.entries(s.properties ?? {});
  const field = (name: string, p: OpenApiSchema) =>
    fc.oneof(
      { weight: 6, arbitrary: plausible(name, p, world, depth) },
      { weight: depth > 1 ? 1 : 2, arbitrary: depth > 1 ? hostileString : junk },
    );
  const record = fc.record(Object.fromEntries(props.map(([name, p]) => [name, field(name, p)])), {
    requiredKeys: (s.required ?? []).filter((r) => s.properties?.[r]),
  });
  return fc
    .tuple(
      record,
      fc.option(fc.tuple(hostileKey, junk), { freq: 6 }),
      fc.option(fc.constantFrom(...(s.required?.length ? s.required : ['-'])), { freq: 6 }),
    )
    .map(([value, extra, dropped]) => {
      const out: Record<string, unknown> = { ...value };
      if (dropped) delete out[dropped];
      if (extra)
        Object.defineProperty(out, extra[0], { value: extra[1], enumerable: true, configurable: true, writable: true });
      return out;
    });
}

/** A CSV import body: some known columns (plus an unknown one now and then), cells plausible or hostile. */
export function csvBody(columns: string[], plausibleCells: Record<string, string[]>): fc.Arbitrary<string> {
  const table = fc
    .shuffledSubarray([...columns, 'bogus'], { minLength: 1 })
    .chain((header) =>
      fc
        .array(
          fc.tuple(
            ...header.map((h) =>
              fc.oneof(
                { weight: 3, arbitrary: fc.constantFrom(...(plausibleCells[h] ?? ['x'])) },
                { weight: 2, arbitrary: hostileString },
              ),
            ),
          ),
          { minLength: 1, maxLength: 3 },
        )
        .map((rows) => stringify([header, ...rows])),
    );
  const broken = fc.constantFrom(
    '"unclosed',
    'email,name\n"x',
    '\uFEFF',
    '\u0000',
    'email,name,roles,timezone\n',
    `email,name,roles,timezone\n${'a,'.repeat(5000)}`,
    ',,,\n,,,',
    'email;name\r\rx',
  );
  return fc.oneof({ weight: 5, arbitrary: table }, { weight: 1, arbitrary: broken });
}

export type Path = Array<string | number>;

export function pathsOf(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  if (at.length) out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  return out;
}

export function valueAtPath(value: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (v, key) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[key] : undefined),
    value,
  );
}

type Change = { kind: 'set'; to: unknown } | { kind: 'drop' };

export function withChange(value: unknown, path: Path, change: Change): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) {
    const next = parent[key];
    if (!next || typeof next !== 'object') return copy; // an earlier change replaced this part
    parent = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  if (change.kind === 'set') parent[last] = change.to;
  else if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return copy;
}

/** What is appended to (or put before) a valid string: it stays valid-looking but carries the hostile part. */
const INFIXES = [
  '\u0000',
  '\uD800',
  '\uDC00x',
  '\r\n',
  '\n',
  '\t',
  "'",
  "'; DROP TABLE person; --",
  ' OR 1=1',
  '%',
  '_',
  '\\',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '\u202E',
  '🙂',
  ' '.repeat(300),
  'x'.repeat(5000),
];

function replacement(original: unknown): fc.Arbitrary<Change> {
  const changes: Array<fc.WeightedArbitrary<Change>> = [
    { weight: 4, arbitrary: hostileString.map((to) => ({ kind: 'set' as const, to })) },
    { weight: 2, arbitrary: hostileNumber.map((to) => ({ kind: 'set' as const, to })) },
    { weight: 2, arbitrary: junk.map((to) => ({ kind: 'set' as const, to })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'drop' as const }) },
  ];
  if (typeof original === 'string') {
    const infixed = fc
      .tuple(fc.constantFrom(...INFIXES), fc.boolean())
      .map(([infix, before]) => ({ kind: 'set' as const, to: before ? infix + original : original + infix }));
    changes.push({ weight: 5, arbitrary: infixed });
  }
  return fc.oneof(...changes);
}

/**
 * A valid value with one or two of its parts (any property or element, at any depth) replaced by
 * hostile input or removed, or now and then left valid: each rule is met alone, past the others.
 */
export function mutated<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return valid.chain((base) => {
    const paths = pathsOf(base);
    if (!paths.length) return fc.constant<unknown>(base);
    const one = fc.constantFrom(...paths).chain((p) => replacement(valueAtPath(base, p)).map((c) => [p, c] as const));
    return fc.oneof(
      { weight: 1, arbitrary: fc.constant<unknown>(base) },
      { weight: 6, arbitrary: one.map(([p, c]) => withChange(base, p, c)) },
      {
        weight: 2,
        arbitrary: fc.tuple(one, one).map(([[p1, c1], [p2, c2]]) => withChange(withChange(base, p1, c1), p2, c2)),
      },
    );
  });
}

/** A valid CSV (header and one row) with one cell replaced by hostile text, or left valid. */
export function mutatedCsv(header: string[], row: fc.Arbitrary<string[]>): fc.Arbitrary<string> {
  return fc
    .tuple(row, fc.nat(header.length - 1), fc.option(hostileString, { freq: 5 }))
    .map(([cells, i, text]) => stringify([header, text === null ? cells : cells.map((c, j) => (j === i ? text : c))]));
}

/**
 * For a sweep of one part of a valid body: the values worth trying there, by what it holds (a
 * string is also tried with hostile text appended, so it passes its own format checks less often
 * but reaches the database more often).
 */
export function probesFor(value: unknown): unknown[] {
  if (typeof value === 'string') {
    return [
      '\u0000',
      `${value}\u0000`,
      `${value}\uD800`,
      `${value}\r\nBcc: fuzz@example.org`,
      `${value}'; DROP TABLE person; --`,
      `${value}<script>alert(1)</script>`,
      '',
      HUGE_STRING,
      '9'.repeat(40),
      42,
      null,
    ];
  }
  if (typeof value === 'number') return [-1, 1.5, 2 ** 31, -(2 ** 31) - 1, 1e308, INFINITE, String(value), null];
  if (typeof value === 'boolean') return ['true', 1, null];
  if (Array.isArray(value)) return [[], [null], 'x', {}];
  if (value && typeof value === 'object') return [null, [], 'x'];
  return ['x', 0, {}];
}

/** Content types a client may claim for any body: wrong charsets, several types at once, none at all. */
export const ODD_CONTENT_TYPES = [
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'application/x-www-form-urlencoded; charset=latin1',
  'text/csv; charset=iso-8859-1',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/json, text/csv',
  'text/csv; header=present',
  '',
];
