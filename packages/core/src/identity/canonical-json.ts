import type { JsonValue } from '../providers/provider-v1.js';

/**
 * JSON with object keys sorted at every depth and `undefined` members dropped, so that equal values
 * always serialise to equal strings (the basis of fingerprints and render keys).
 */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const members = Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
  return `{${members.join(',')}}`;
}
