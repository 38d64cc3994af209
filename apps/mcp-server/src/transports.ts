import { createLocalTransport, type Transport } from '@execkit/core';

/**
 * The transport kinds `session_create` accepts, in the order they are listed to clients.
 * Adding one means adding its name here and a case to {@link openTransport}.
 */
export const TRANSPORT_KINDS = ['local'] as const;

/** A transport kind `session_create` accepts (see {@link TRANSPORT_KINDS}). */
export type TransportKind = (typeof TRANSPORT_KINDS)[number];

/** True when `kind` names a supported transport. */
export function isTransportKind(kind: string): kind is TransportKind {
  return (TRANSPORT_KINDS as readonly string[]).includes(kind);
}

/**
 * Creates a fresh transport of `kind` for one session. Each session gets its own transport, which
 * the session registry closes together with the session.
 *
 * @param kind - a supported transport kind
 * @returns a core `Transport`
 */
export function openTransport(kind: TransportKind): Transport {
  switch (kind) {
    case 'local':
      return createLocalTransport();
  }
}
