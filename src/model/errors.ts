import type { Diagnostic } from './types.js';

/**
 * Raised by library calls whose input is wrong in a way the caller could not have checked in
 * advance as a value (for example an unknown name in run overrides). Carries diagnostics.
 */
export class ModelError extends Error {
  override name = 'ModelError';
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
  }
}
