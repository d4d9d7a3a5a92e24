import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';

/** A cell of an export: text, a number, an instant, or nothing. */
export type Cell = string | number | boolean | Date | null | undefined;

/** Spreadsheet programs run text that starts with these as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text a spreadsheet would run as a formula gets a leading ' so it stays text; numbers and instants keep their type. */
export function neutralised(value: Cell): Exclude<Cell, string> | string {
  if (typeof value !== 'string') return value;
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The cell as CSV text: instants in ISO 8601, nothing as empty, text neutralised (a number is never a formula). */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? String(neutralised(value)) : String(value);
}

/** A table as CSV (a header row, then the rows), every text cell formula-safe. */
export function toCsv(header: readonly string[], rows: readonly Cell[][]): string {
  return stringify([header.map(csvCell), ...rows.map((r) => r.map(csvCell))]);
}

/** A table as one XLSX sheet, formula-safe: text stays text, numbers stay numbers, instants are dates (UTC). */
export async function toXlsx(sheet: string, header: readonly string[], rows: readonly Cell[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const ws = book.addWorksheet(sheet.slice(0, 31) || 'Sheet1');
  ws.addRow(header.map((h) => neutralised(h)));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r.map((c) => (c === undefined ? null : neutralised(c))));
  return Buffer.from(await book.xlsx.writeBuffer());
}
