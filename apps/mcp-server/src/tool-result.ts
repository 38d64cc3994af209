import { ExecKitError } from '@execkit/core';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ToolInputError } from './errors.js';

/**
 * A successful tool result: `data` as `structuredContent`, and the same data as JSON in a text
 * content item for clients that do not read structured output.
 */
export function toolSuccess<T extends Record<string, unknown>>(data: T): CallToolResult & { structuredContent: T } {
  return {
    content: [{ type: 'text', text: JSON.stringify(data) }],
    structuredContent: data,
  };
}

/** A tool error result (`isError: true`) carrying `message` as text. */
export function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/**
 * Turns anything a handler threw into a tool error message: a {@link ToolInputError}'s message as
 * is, an `ExecKitError` as `<CODE>: <message>`, anything else as an internal error.
 */
export function describeError(error: unknown): string {
  if (error instanceof ToolInputError) return error.message;
  if (ExecKitError.isInstance(error)) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return `Internal error: ${error.message}`;
  return `Internal error: ${String(error)}`;
}

/**
 * Wraps a tool handler so that whatever it throws comes back as a tool error (see
 * {@link describeError}) instead of failing the request.
 */
export function withToolErrors<Args extends unknown[]>(
  handler: (...args: Args) => Promise<CallToolResult>,
): (...args: Args) => Promise<CallToolResult> {
  return async (...args) => {
    try {
      return await handler(...args);
    } catch (error) {
      return toolError(describeError(error));
    }
  };
}
