import { ExecKitError } from './execkit-error.js';

/** The transport implements a contract version this core does not know. Code `UNSUPPORTED_TRANSPORT`. */
export class UnsupportedTransportError extends ExecKitError {
  readonly specificationVersion: unknown;

  constructor(specificationVersion: unknown, expected: string) {
    super(
      'UNSUPPORTED_TRANSPORT',
      `Unsupported transport specification version ${JSON.stringify(specificationVersion)}; this @execkit/core supports "${expected}". Upgrade the transport or core so they match.`,
    );
    this.name = 'UnsupportedTransportError';
    this.specificationVersion = specificationVersion;
  }
}
