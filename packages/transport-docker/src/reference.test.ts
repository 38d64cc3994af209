import { ExecKitError, InvalidOptionsError } from '@execkit/core';
import { describe, expect, it } from 'vitest';
import { quoteUntrusted, validateContainerReference } from './reference.js';

function refusal(ref: unknown): InvalidOptionsError {
  try {
    validateContainerReference(ref);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(ExecKitError.isInstance(error)).toBe(true);
    const e = error as InvalidOptionsError;
    expect(e.code).toBe('INVALID_OPTIONS');
    expect(e.field).toBe('container');
    // Never echo raw control bytes (C0, DEL, C1) or line separators.
    expect(e.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    return e;
  }
  throw new Error(`accepted ${JSON.stringify(ref)}`);
}

describe('validateContainerReference', () => {
  it.each([
    ['web', 'web'],
    ['my_app.db-1', 'my_app.db-1'],
    ['a', 'a'],
    ['9lives', '9lives'],
    ['/web', 'web'],
    ['/my-app_1', 'my-app_1'],
    ['0123456789ab', '0123456789ab'],
    ['ABCDEF012345', 'ABCDEF012345'],
    ['f'.repeat(64), 'f'.repeat(64)],
    ['a'.repeat(128), 'a'.repeat(128)],
    [`/${'b'.repeat(128)}`, 'b'.repeat(128)],
  ])('accepts %j', (ref, expected) => {
    expect(validateContainerReference(ref)).toBe(expected);
  });

  it.each([
    ['--privileged', /start with "-"/],
    ['-it', /start with "-"/],
    ['-', /start with "-"/],
    ['/-rm', /start with "-"/],
    ['a b', /whitespace/],
    [' web', /whitespace/],
    ['web ', /whitespace/],
    ['a\tb', /control/],
    ['a\nb', /control/],
    ['a\rb', /control/],
    ['a\0b', /control/],
    ['a\u007fb', /control/],
    ['a\u0085b', /control/],
    ['a\u00a0b', /whitespace/],
    ['../x', /"\.\."/],
    ['..', /"\.\."/],
    ['a..b', /"\.\."/],
    ['/..', /"\.\."/],
    ['a/b', /"\/"/],
    ['//web', /"\/"/],
    ['web/', /"\/"/],
    ['x/../../etc', /"\.\."|"\/"/],
    ['', /empty/],
    ['/', /empty/],
    ['.hidden', /character/],
    ['_x', /character/],
    ['web:latest', /character/],
    ['web?x=1', /character/],
    ['a%2fb', /character/],
    ['café', /character/],
    ['web\u202eexe', /character/],
    ['x'.repeat(129), /at most 128/],
    ['x'.repeat(200), /at most 128/],
  ])('refuses %j', (ref, why) => {
    expect(refusal(ref).message).toMatch(why);
  });

  it.each([
    [undefined, 'undefined'],
    [null, 'null'],
    [42, 'number'],
    [['web'], 'array'],
    [{ toString: () => 'web' }, 'object'],
    [new String('web'), 'object'],
    [Symbol('web'), 'symbol'],
  ])('refuses the non-string %s', (ref, kind) => {
    const e = refusal(ref);
    expect(e.message).toContain(`got ${kind}`);
  });

  it('shows refused values JSON-escaped, never raw', () => {
    expect(refusal('a\nb').message).toContain('got "a\\nb"');
    expect(refusal('a\0b').message).toContain('got "a\\u0000b"');
    expect(refusal('a\u001b[31mb').message).toContain('"a\\u001b[31mb"');
    expect(refusal('a\u0085b').message).toContain('"a\\u0085b"');
    expect(refusal('web\u202eexe').message).toContain('"web\\u202eexe"');
    expect(refusal('--privileged').message).toContain('got "--privileged"');
  });

  it('truncates long refused values in the message', () => {
    const e = refusal('x'.repeat(200));
    expect(e.message).toContain(`"${'x'.repeat(40)}"… (200 characters)`);
    expect(e.message).not.toContain('x'.repeat(41));
    expect(e.message.length).toBeLessThan(300);
  });

  it('says what is allowed', () => {
    expect(refusal('a b').message).toMatch(/^Invalid container: .*container name.*hex id/);
  });
});

describe('quoteUntrusted', () => {
  it('escapes controls, separators and bidi overrides; keeps surrogate pairs whole when truncating', () => {
    expect(quoteUntrusted('a\u2028b\u2029c\u200bd')).toBe('"a\\u2028b\\u2029c\\u200bd"');
    expect(quoteUntrusted('"q"\\')).toBe('"\\"q\\"\\\\"');
    expect(quoteUntrusted('😀😀😀', 2)).toBe('"😀😀"… (3 characters)');
    expect(quoteUntrusted('\ud800x')).toBe('"\\ud800x"');
  });
});
