import { readFileSync } from 'node:fs';
import path from 'node:path';

import { FileTypeValidator } from '@nestjs/common';
import semver from 'semver';

interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
}

const manifest = JSON.parse(readFileSync(path.resolve('package.json'), 'utf8')) as {
  engines: { node: string };
  overrides?: Record<string, string>;
  dependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(path.resolve('package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

/** A 1×1 PNG: its first bytes are the magic number file-type recognises. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

describe('dependencies', () => {
  it('all run on the oldest Node the README promises (npm ci prints no engine warning)', () => {
    const oldest = semver.minVersion(manifest.engines.node)!.version;
    expect(oldest).toBe('20.19.0');
    const refusing = Object.entries(lock.packages)
      .filter(([name, entry]) => name !== '' && entry.engines && !Array.isArray(entry.engines) && entry.engines.node)
      .filter(([, entry]) => !semver.satisfies(oldest, (entry.engines as { node: string }).node))
      .map(([name, entry]) => `${name}@${entry.version} wants Node ${(entry.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
  });

  it("override file-type with a Node 20 version that @nestjs/common's FileTypeValidator still loads", async () => {
    const pin = manifest.overrides?.['file-type'];
    expect(pin).toBeDefined();
    // `$file-type`: the override follows the project's own (exact) dependency, which evidence uploads use too
    const version = pin!.startsWith('$') ? manifest.dependencies[pin!.slice(1)] : pin;
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    const installed = Object.entries(lock.packages).filter(([name]) => name.endsWith('node_modules/file-type'));
    expect(installed.map(([, entry]) => entry.version)).toEqual([version]);
    const validator = new FileTypeValidator({ fileType: 'image/png' });
    // Detected by magic number (a failed import of file-type would answer false for both).
    expect(await validator.isValid({ mimetype: 'image/png', buffer: PNG } as never)).toBe(true);
    expect(await validator.isValid({ mimetype: 'image/png', buffer: Buffer.from('name,email\n') } as never)).toBe(
      false,
    );
  });
});
