export { ConnectionLostError } from './connection-lost-error.js';
export { ExecKitError, type ExecKitErrorCode } from './execkit-error.js';
export { InvalidOptionsError } from './invalid-options-error.js';
export { SessionClosedError } from './session-closed-error.js';
export { TimeoutHandlingError } from './timeout-handling-error.js';
export { TransportError } from './transport-error.js';
export { TransportStartError } from './transport-start-error.js';
export { UnsupportedTransportError } from './unsupported-transport-error.js';
export { PolicyDeniedError } from './policy-denied-error.js';
