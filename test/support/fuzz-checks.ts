import type { Response } from 'supertest';

/** What an answer must never show: stack frames, driver and ORM errors, file paths, SQL. */
const LEAKS: Array<[string, RegExp]> = [
  ['a stack frame', /\n\s+at\s|\bat [^\s()]+ \(|\.(?:ts|js|mjs):\d+:\d+/],
  [
    'an ORM or driver error',
    /QueryFailedError|EntityNotFound|TypeORMError|EntityMetadata|driverError|DatabaseError|ECONNREFUSED/,
  ],
  ['a JavaScript error name', /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|Cannot read propert)/],
  ['a file path', /node_modules|\/work\/|\/dist\/src|\/src\/[a-z-]+\//],
  [
    'a PostgreSQL message',
    /invalid input syntax|violates|duplicate key|syntax error at|out of range for type|invalid byte sequence|unsupported Unicode|relation "|column "|current transaction is aborted|(?:^|\W)pg_/i,
  ],
  [
    'SQL of the service',
    /\bSELECT\b[\s\S]{0,200}\bFROM\s+"?[a-z_]+"?\s|\bINSERT INTO\b|\bUPDATE\s+"?[a-z_]+"?\s+SET\b|organization_id/,
  ],
];

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Every string a request carried, in the forms an answer might echo it (raw, JSON-escaped, URL-encoded). */
export function sentForms(strings: string[]): string[] {
  const forms = new Set<string>();
  for (const s of strings) {
    if (s.length < 3) continue;
    forms.add(s);
    // a lone surrogate cannot travel in UTF-8: the service reads (and echoes) it as U+FFFD
    forms.add(s.replace(LONE_SURROGATE, '\uFFFD'));
    forms.add(JSON.stringify(s).slice(1, -1));
    // a form body or query string is echoed one name or value at a time, decoded
    for (const part of [s, ...s.split(/[&=]/).filter((p) => p.length >= 3)]) {
      try {
        forms.add(decodeURIComponent(part.replace(/\+/g, ' ')).replace(LONE_SURROGATE, '\uFFFD'));
      } catch {
        // not an encoded string
      }
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Leaf strings of a generated value. */
export function leaves(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) leaves(v, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      leaves(v, out);
    }
  return out;
}

/** The leaks found in an answer, after taking out what the request itself sent (an echo is not a leak). */
export function leaksIn(text: string, sent: string[]): string[] {
  let rest = text;
  for (const form of sentForms(sent)) if (rest.includes(form)) rest = rest.split(form).join('');
  return LEAKS.filter(([, re]) => re.test(rest)).map(([what]) => what);
}

/** A short description of a request and its answer for failure messages. */
export function describeExchange(
  method: string,
  url: string,
  body: { contentType?: string; raw: string } | null,
  res: Response,
): string {
  const cut = (s: string, n: number) => JSON.stringify(s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
  const sent = body ? ` [${body.contentType ?? 'no type'}] ${cut(body.raw, 300)}` : '';
  return `${method} ${cut(url, 300)}${sent} → ${res.status} ${cut(res.text ?? '', 400)}`;
}
