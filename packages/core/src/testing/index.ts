/**
 * Test helpers for transports: the conformance suite every transport must pass.
 * Import from `@execkit/core/testing` (needs `vitest` installed).
 *
 * @packageDocumentation
 */
export { countProcesses, describeTransportConformance, type ConformanceTarget } from './conformance.js';
