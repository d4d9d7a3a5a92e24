import { PageQuery } from '../../common/pagination.js';
import { validateDto } from '../../common/validation/validate-dto.js';

/** A form post's fields as the DTO sees them: strings only, without the form token (which no DTO declares). */
export function formFields(body: unknown): Record<string, string> {
  if (!body || typeof body !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>))
    if (k !== '_csrf' && typeof v === 'string') out[k] = v;
  return out;
}

/** `?limit=&offset=` as the API reads them (PageQuery's rules); a value out of its rules falls back to the default. */
export async function pagingOf(
  query: Record<string, unknown>,
  defaultLimit = 50,
): Promise<{ limit: number; offset: number }> {
  const plain: Record<string, unknown> = { limit: String(defaultLimit) };
  for (const key of ['limit', 'offset'])
    if (typeof query[key] === 'string' && query[key] !== '') plain[key] = query[key];
  const { value, errors } = await validateDto(PageQuery, plain);
  const bad = new Set(errors.map((e) => e.field));
  return { limit: bad.has('limit') ? defaultLimit : value.limit, offset: bad.has('offset') ? 0 : value.offset };
}
