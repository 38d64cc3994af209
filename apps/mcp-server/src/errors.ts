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

/**
 * A zod `error` option for a required field: `message` when the field is missing, zod's own
 * message when it is present with the wrong type.
 */
export function required(message: string): (issue: { input?: unknown }) => string | undefined {
  return (issue) => (issue.input === undefined ? message : undefined);
}
