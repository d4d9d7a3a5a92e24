import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

import { type ChartFont, type ChartRow, defaultChartFont, renderDigestChart } from './digest-chart.js';

const NPM_FONTS = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');

const row = (label: string): ChartRow => ({
  label,
  unit: 'rate',
  observed: 0.62,
  ciLow: 0.47,
  ciHigh: 0.75,
  claimed: 0.96,
  verdict: 'contradicted',
});

/** The PNG with a label and with none: equal bytes mean the label's glyphs were not drawn. */
function labelChangesPixels(font?: ChartFont): boolean {
  const options = font ? { font } : {};
  const labelled = renderDigestChart([row('General line · answer rate')], options);
  const blank = renderDigestChart([row('')], options);
  return !labelled.equals(blank);
}

describe('the digest chart font', () => {
  it('is DejaVu Sans from the npm package, not from the machine', () => {
    const font = defaultChartFont();
    expect(font?.family).toBe('DejaVu Sans');
    expect(font?.files.length).toBe(3);
    for (const file of font!.files) {
      expect(file.startsWith(NPM_FONTS + sep)).toBe(true);
      expect(existsSync(file)).toBe(true);
    }
  });

  it('draws the label text (a chart whose only change is its label differs in pixels)', () => {
    expect(labelChangesPixels()).toBe(true);
    // The check can fail: with no font files loaded, resvg draws no text and the two PNGs are the same.
    expect(labelChangesPixels({ family: 'DejaVu Sans', files: [] })).toBe(false);
  });
});
