import { ExecKitError } from '@execkit/core';

/**
 * A container is missing, not running, or paused. Code `CONTAINER_UNAVAILABLE`. The message
 * names the container and its state (e.g. `exited (137)`, `paused`, `missing`).
 */
export class ContainerUnavailableError extends ExecKitError {
  constructor(
    message: string,
    /** The container reference as given. */
    readonly container: string,
    /** Its state as the Engine reports it (`paused`, `exited (137)`, `created`…), or `missing`. */
    readonly state: string,
    options?: { cause?: unknown },
  ) {
    super('CONTAINER_UNAVAILABLE', message, options);
    this.name = 'ContainerUnavailableError';
  }
}
