/**
 * The error of a wrong spec, naming the offending field. Its own module so that the modules a
 * worker thread loads (plan, runner) need not load the spec's schema.
 */
export class SpecError extends Error {
  override name = 'SpecError';
  constructor(
    readonly field: string,
    message: string,
    readonly file?: string,
  ) {
    super(`${file ? `${file}: ` : ''}${field}: ${message}`);
  }
}
