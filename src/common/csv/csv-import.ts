import { BadRequestException } from '@nestjs/common';
import { ClassConstructor } from 'class-transformer';
import { parse } from 'csv-parse/sync';

import { validateDto } from '../validation/validate-dto.js';

export interface CsvRowError {
  /** 1 = the first data row (the header is not counted). */
  row: number;
  /** Line in the file where the row ends (the header is line 1). */
  line: number;
  field: string;
  rule: string;
  message: string;
}

/** The file as a whole is unreadable (not CSV, wrong header, too long). */
export class CsvFormatError extends BadRequestException {
  constructor(message: string) {
    super({ statusCode: 400, error: 'Bad Request', message, errors: [] });
  }
}

/** A cell that cannot be turned into its field's shape (e.g. "mon-fri 9-5"). */
export class CellError extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

/** The most rows one import takes (people, touchpoints and claims alike); a longer file is refused whole. */
export const MAX_CSV_ROWS = 10_000;

/** The largest CSV taken, as a request body (the API) or an uploaded file (the console). */
export const CSV_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

/** The limit as the API documents it on every import route. */
export const CSV_ROW_LIMIT_TEXT = `At most ${MAX_CSV_ROWS.toLocaleString('en')} rows per import: a longer file is refused whole with 400 before anything is written.`;

export interface CsvParsed<T> {
  rows: Array<{ row: number; line: number; value: T }>;
  errors: CsvRowError[];
}

/**
 * Reads a CSV with a header line, turns each record into a DTO with `toPlain`, and validates it
 * with the DTO's own rules. Collects every bad row instead of stopping at the first.
 */
export async function parseCsv<T extends object>(
  text: string,
  spec: {
    required: string[];
    optional: string[];
    dto: ClassConstructor<T>;
    /** Builds the DTO's plain shape; wrap each cell conversion that may throw a CellError in `cell`. */
    toPlain: (record: Record<string, string>, cell: <V>(convert: () => V) => V | undefined) => object;
  },
): Promise<CsvParsed<T>> {
  if (typeof text !== 'string' || text.trim() === '')
    throw new CsvFormatError('The CSV is empty: it needs a header line and at least one row');
  let header: string[] = [];
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(text, {
      columns: (h: string[]) => (header = h.map((c) => c.trim())),
      bom: true,
      trim: true,
      skip_empty_lines: true,
      info: true,
      to: MAX_CSV_ROWS + 1, // one row past the limit is enough to refuse the file
    }) as unknown as Array<{ record: Record<string, string>; info: { lines: number } }>;
  } catch (error) {
    throw new CsvFormatError(`The CSV could not be read: ${(error as Error).message}`);
  }
  const known = new Set([...spec.required, ...spec.optional]);
  const unknown = header.filter((h) => !known.has(h));
  const missing = spec.required.filter((h) => !header.includes(h));
  if (unknown.length || missing.length) {
    const parts = [];
    if (missing.length) parts.push(`missing column(s): ${missing.join(', ')}`);
    if (unknown.length) parts.push(`unknown column(s): ${unknown.join(', ')}`);
    throw new CsvFormatError(
      `The CSV header is wrong: ${parts.join('; ')}. Columns: ${[...spec.required, ...spec.optional].join(', ')}`,
    );
  }
  if (records.length === 0) throw new CsvFormatError('The CSV has a header but no rows');
  if (records.length > MAX_CSV_ROWS) {
    const limit = MAX_CSV_ROWS.toLocaleString('en');
    throw new CsvFormatError(`The CSV has more than ${limit} rows: at most ${limit} per import`);
  }

  const rows: CsvParsed<T>['rows'] = [];
  const errors: CsvRowError[] = [];
  for (const [index, { record, info }] of records.entries()) {
    const row = index + 1;
    const line = info.lines;
    const cellErrors: CsvRowError[] = [];
    const cell = <V>(convert: () => V): V | undefined => {
      try {
        return convert();
      } catch (error) {
        if (!(error instanceof CellError)) throw error;
        cellErrors.push({ row, line, field: error.field, rule: error.rule, message: error.message });
        return undefined;
      }
    };
    const plain = spec.toPlain(record, cell);
    const { value, errors: fieldErrors } = await validateDto(spec.dto, plain);
    // A cell that could not be read is reported once, not again as "missing".
    const unreadable = new Set(cellErrors.map((e) => e.field));
    const rowErrors = [
      ...cellErrors,
      ...fieldErrors.filter((e) => !unreadable.has(e.field.split(/[.[]/)[0])).map((e) => ({ row, line, ...e })),
    ];
    if (rowErrors.length) errors.push(...rowErrors);
    else rows.push({ row, line, value });
  }
  return { rows, errors };
}

/** The answer when any row is bad: nothing was imported, and here is every reason. */
export class CsvImportRejected extends BadRequestException {
  constructor(errors: CsvRowError[]) {
    const sorted = [...errors].sort((a, b) => a.row - b.row);
    const bad = new Set(sorted.map((e) => e.row)).size;
    super({
      statusCode: 400,
      error: 'Bad Request',
      message: `Nothing was imported: ${bad} row(s) have errors`,
      errors: sorted,
    });
  }
}
