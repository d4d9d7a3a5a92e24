import { MAX_NESTING, unstorableInput } from './validation-errors.js';

describe('input no field can hold', () => {
  it('names the field holding a NUL character, in values and in keys, at any depth', () => {
    expect(unstorableInput({ notes: 'a\u0000b' })).toMatchObject({ field: 'notes', rule: 'noNulCharacter' });
    expect(unstorableInput({ answers: { 'k\u0000': 1 } })).toMatchObject({
      field: 'answers.k\u0000',
      rule: 'noNulCharacter',
    });
    expect(unstorableInput({ closures: [{ reason: '\u0000' }] })).toMatchObject({
      field: 'closures[0].reason',
      rule: 'noNulCharacter',
    });
    expect(unstorableInput('csv\u0000')).toMatchObject({ field: 'body' });
    expect(unstorableInput('x\u0000', 'q')).toMatchObject({ field: 'q' });
  });

  it('refuses half a surrogate pair but keeps whole pairs (emoji)', () => {
    expect(unstorableInput({ email: 'a@example.org\uD800' })).toMatchObject({
      field: 'email',
      rule: 'wellFormedUnicode',
    });
    expect(unstorableInput({ name: '\uDC00x' })).toMatchObject({ field: 'name', rule: 'wellFormedUnicode' });
    expect(unstorableInput({ name: 'Ann 🙂 \u202E' })).toBeNull();
  });

  it('names the top-level field of a value nested too deep, without recursing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(unstorableInput({ a: deep })).toMatchObject({ field: 'a', rule: 'maxNesting' });
    let ok: unknown = 1;
    for (let i = 0; i < MAX_NESTING - 1; i++) ok = { x: ok };
    expect(unstorableInput({ a: ok })).toBeNull();
  });
});
