import { describe, expect, it } from 'vitest';
import { ConnectionLostError } from '../errors/connection-lost-error.js';
import { PolicyDeniedError } from '../errors/policy-denied-error.js';
import { redactError } from './redact-error.js';
import { Redactor } from './redactor.js';

const known = 'operator-known-value-7f3a';
const redactor = new Redactor();
redactor.addKnownValues([known]);

describe('redactError', () => {
  it('masks the message and the same text in the stack, keeping the error object', () => {
    const error = new Error(`could not use ${known} here`);
    const same = redactError(error, redactor);
    expect(same).toBe(error);
    expect(error.message).toBe('could not use [REDACTED:known-value] here');
    expect(error.stack).toContain('could not use [REDACTED:known-value] here');
    expect(error.stack).not.toContain(known);
  });

  it('masks policy violation details and partial results', () => {
    const denied = new PolicyDeniedError(`refused: ${known}`, {
      allowed: false,
      programs: ['curl'],
      violations: [{ rule: 'deny_pattern', program: 'curl', detail: `deny_pattern: the command "curl ${known}" matches` }],
    });
    redactError(denied, redactor);
    expect(denied.decision.violations[0]!.detail).toBe('deny_pattern: the command "curl [REDACTED:known-value]" matches');
    expect(denied.decision.programs).toEqual(['curl']);

    const partial = { command: `echo ${known}`, stdout: `${known}\n`, stderr: '', cwd: `/tmp/${known}`, exitCode: null } as unknown as ConstructorParameters<typeof ConnectionLostError>[1];
    const lost = new ConnectionLostError('lost', partial);
    redactError(lost, redactor);
    expect(lost.partial).toMatchObject({ command: 'echo [REDACTED:known-value]', stdout: '[REDACTED:known-value]\n', cwd: '/tmp/[REDACTED:known-value]' });
  });

  it('follows the cause chain, survives a cycle, and leaves non-errors alone', () => {
    const inner = new Error(`inner ${known}`);
    const outer = new Error('outer', { cause: inner });
    (inner as { cause?: unknown }).cause = outer;
    redactError(outer, redactor);
    expect(inner.message).toBe('inner [REDACTED:known-value]');
    const text = `plain ${known}`;
    expect(redactError(text, redactor)).toBe(text);
    expect(redactError(undefined, redactor)).toBeUndefined();
  });

  it('changes nothing when there is nothing to mask', () => {
    const error = new Error('nothing secret here');
    const stack = error.stack;
    redactError(error, redactor);
    expect(error.message).toBe('nothing secret here');
    expect(error.stack).toBe(stack);
  });
});
