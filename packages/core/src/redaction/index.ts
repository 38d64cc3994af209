/**
 * Secret redaction: masks credentials in text before it reaches an AI agent.
 *
 * {@link Redactor} applies {@link DEFAULT_RULES} (or your own {@link SecretRule}s) plus exact known
 * values, to a whole string ({@link Redactor.redact}) or a stream of chunks
 * ({@link Redactor.createStream}). Each secret becomes `[REDACTED:<rule id>]`.
 *
 * Order in a pipeline: decode bytes and strip terminal escape sequences first
 * (`TerminalTextDecoder`), then redact. The redactor also sees through escape sequences that split a
 * secret, as a safety net, but the decoder's output is what it is tuned for.
 *
 * @packageDocumentation
 */
export { Redactor, MIN_KNOWN_VALUE_LENGTH, type RedactionResult, type RedactionStream, type RedactorOptions } from './redactor.js';
export { DEFAULT_RULES, secretText, type SecretContinuation, type SecretRule } from './rules.js';
export { isPasswordName, isPlaceholderOrMask, isSecretName, looksLikeSecretValue, SECRET_ENTROPY_THRESHOLD } from './names.js';
export { shannonEntropy } from './entropy.js';
export { KNOWN_VALUE_ID } from './scanner.js';
export { redactError } from './redact-error.js';
