/**
 * A small JSON Schema subset (the keywords our API uses), so that every request body and query
 * is checked against the same schema the OpenAPI document publishes. A full validator would be a
 * dependency larger than the whole server.
 */

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean';
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: readonly (string | number)[];
  maxProperties?: number;
}

/** Check `value` against `schema`; returns the problems found (empty when valid). */
export function validate(schema: Schema, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  check(schema, value, path, errors);
  return errors;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function check(schema: Schema, value: unknown, path: string, errors: string[]): void {
  if (errors.length >= 20) return;
  const actual = typeOf(value);
  if (schema.type) {
    const ok =
      schema.type === 'integer'
        ? typeof value === 'number' && Number.isInteger(value)
        : schema.type === 'number'
          ? typeof value === 'number' && Number.isFinite(value)
          : actual === schema.type;
    if (!ok) {
      errors.push(`${path}: expected ${schema.type}, got ${actual}`);
      return;
    }
  }
  if (schema.enum && !schema.enum.includes(value as string | number)) {
    errors.push(`${path}: must be one of ${schema.enum.join(', ')}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      errors.push(`${path}: must be >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      errors.push(`${path}: must be <= ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      errors.push(`${path}: must have at least ${schema.minLength} characters`);
    }
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      errors.push(`${path}: must have at most ${schema.maxLength} characters`);
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
      errors.push(`${path}: does not match ${schema.pattern}`);
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      errors.push(`${path}: must have at least ${schema.minItems} items`);
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      errors.push(`${path}: must have at most ${schema.maxItems} items`);
    }
    if (schema.items) value.forEach((v, i) => check(schema.items as Schema, v, `${path}[${i}]`, errors));
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
      errors.push(`${path}: must have at most ${schema.maxProperties} properties`);
    }
    for (const name of schema.required ?? []) {
      if (!(name in obj)) errors.push(`${path}: missing required property '${name}'`);
    }
    for (const key of keys) {
      const sub = schema.properties?.[key];
      if (sub) check(sub, obj[key], `${path}.${key}`, errors);
      else if (schema.additionalProperties === false) errors.push(`${path}: unknown property '${key}'`);
      else if (typeof schema.additionalProperties === 'object') {
        check(schema.additionalProperties, obj[key], `${path}.${key}`, errors);
      }
    }
  }
}
