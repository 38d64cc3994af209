/**
 * An error meant for the agent: its message says what went wrong and what to do, and the server
 * returns it as a tool error (`isError: true`) as is.
 */
export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolInputError';
  }
}
