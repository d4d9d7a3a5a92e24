import ExcelJS from 'exceljs';

import { csvCell, neutralised, toCsv, toXlsx } from './spreadsheet.js';

describe('exports a spreadsheet opens safely', () => {
  it('neutralises text a spreadsheet would run as a formula, and nothing else', () => {
    for (const bad of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\t=x', '\r=x']) expect(neutralised(bad)).toBe(`'${bad}`);
    for (const good of ['General line', 'a=b', '', ' =x']) expect(neutralised(good)).toBe(good);
    expect(neutralised(-5)).toBe(-5);
  });

  it('writes CSV with instants in ISO 8601, nothing as empty, text neutralised', () => {
    const csv = toCsv(['a', 'b', 'c'], [['=HYPERLINK("x")', null, new Date('2026-11-17T10:00:00Z')]]);
    expect(csv).toBe('a,b,c\n"\'=HYPERLINK(""x"")",,2026-11-17T10:00:00.000Z\n');
    expect([csvCell(0.96), csvCell(-0.04), csvCell(false)]).toEqual(['0.96', '-0.04', 'false']);
  });

  it('writes an XLSX sheet whose text cells hold no formula and whose numbers stay numbers', async () => {
    const xlsx = await toXlsx('Contacts', ['notes', 'n'], [['=cmd|"/c calc"!A1', 12]]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx as unknown as ArrayBuffer);
    const ws = book.getWorksheet('Contacts')!;
    expect(ws.getCell('A2').value).toBe('\'=cmd|"/c calc"!A1');
    expect(ws.getCell('A2').type).toBe(ExcelJS.ValueType.String);
    expect(ws.getCell('B2').value).toBe(12);
  });
});
