/** The streams, environment and signals a CLI run uses; injectable so the program can run in-process. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Calls `handler` each time `signal` arrives until the returned function is called. */
  onSignal(signal: CliSignal, handler: () => void): () => void;
}

/** Signals the commands react to. */
export type CliSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** The real process's streams, environment and signals. */
export function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onSignal(signal, handler) {
      process.on(signal, handler);
      return () => {
        process.off(signal, handler);
      };
    },
  };
}

/** True when ANSI colour may be written to `stream`: it is a terminal and `NO_COLOR` is unset or empty. */
export function colorEnabled(io: CliIo, stream: CliIo['stdout']): boolean {
  return Boolean(stream.isTTY) && !io.env['NO_COLOR'];
}
