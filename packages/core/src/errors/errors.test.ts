import { describe, expect, it } from 'vitest';
import { ExecKitError, InvalidOptionsError, SessionClosedError, TimeoutHandlingError, TransportError, TransportStartError, UnsupportedTransportError } from './index.js';

describe('errors', () => {
  it('carry stable codes and are recognised across copies', () => {
    const cases: Array<[ExecKitError, string]> = [
      [new InvalidOptionsError('timeoutMs', 'must be positive'), 'INVALID_OPTIONS'],
      [new SessionClosedError('the shell exited', 3), 'SESSION_CLOSED'],
      [new TimeoutHandlingError('stuck'), 'TIMEOUT_HANDLING_FAILED'],
      [new TransportError('broken'), 'TRANSPORT_FAILED'],
      [new TransportStartError('no shell'), 'TRANSPORT_START_FAILED'],
      [new UnsupportedTransportError('v0', 'v1'), 'UNSUPPORTED_TRANSPORT'],
    ];
    for (const [error, code] of cases) {
      expect(error.code).toBe(code);
      expect(ExecKitError.isInstance(error)).toBe(true);
      expect(error).toBeInstanceOf(Error);
    }
    const foreign = Object.assign(new Error('x'), { [Symbol.for('execkit.error')]: true });
    expect(ExecKitError.isInstance(foreign)).toBe(true);
    expect(ExecKitError.isInstance(new Error('plain'))).toBe(false);
    expect(new SessionClosedError('the shell exited', 3).message).toContain('exit code 3');
  });
});
