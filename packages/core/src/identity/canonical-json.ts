import type { JsonValue } from '../providers/provider-v1.js';

/**
 * JSON with object keys sorted at every depth and `undefined` members dropped, so that equal values
 * always serialise to equal strings (the basis of fingerprints and render keys).
 */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  // Plain loops and one string: a plan computes this for every line, and cold, in a fresh process,
  // the map/filter/join version cost about twice as much over a 10,000-line manifest.
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index++) out += (index === 0 ? '' : ',') + canonicalJson(value[index]);
    return `${out}]`;
  }
  let out = '{';
  for (const key of Object.keys(value).sort()) {
    const member = value[key];
    if (member === undefined) continue;
    out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(member);
  }
  return `${out}}`;
}
