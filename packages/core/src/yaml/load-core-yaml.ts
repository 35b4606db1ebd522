import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';

// YAML 1.2's core schema exactly as the `yaml` package resolves plain scalars (its regular expressions).
// js-yaml's own CORE_SCHEMA also reads `1_000` and `0b101` as numbers, which YAML 1.2 keeps as strings.
// js-yaml tries every type on every plain scalar, keys included (a 10,000-line lockfile has about a
// million such tries), so each type first rejects by length or first character, before its expression.
const nullType = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: string) => data.length <= 4 && /^(?:~|[Nn]ull|NULL)?$/.test(data),
  construct: () => null,
  predicate: (value) => value === null,
});
const bool = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string) => (data.length === 4 || data.length === 5) && /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(data),
  construct: (data: string) => data.toLowerCase() === 'true',
  predicate: (value) => typeof value === 'boolean',
});
const int = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string) => startsLikeNumber(data) && /^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$/.test(data),
  construct: (data: string) =>
    data.startsWith('0o') ? Number.parseInt(data.slice(2), 8) : data.startsWith('0x') ? Number.parseInt(data.slice(2), 16) : Number.parseInt(data, 10),
  predicate: (value) => Number.isInteger(value),
  represent: (value) => String(value),
});
const float = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string) =>
    startsLikeNumber(data) &&
    (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(data) ||
    /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(data) ||
    /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(data)),
  construct: (data: string) => {
    if (/nan$/i.test(data)) return Number.NaN;
    if (/inf$/i.test(data)) return data.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    return Number.parseFloat(data);
  },
  predicate: (value) => typeof value === 'number',
  represent: (value) => String(value),
});
/** A digit, a sign or a dot: how every int and float of the core schema begins (`.inf`, `-.5`, `0x1f`). */
function startsLikeNumber(data: string): boolean {
  const code = data.charCodeAt(0);
  return (code >= 48 && code <= 57) || code === 43 || code === 45 || code === 46;
}
const coreSchema = FAILSAFE_SCHEMA.extend({ implicit: [nullType, bool, int, float] });

// An anchor or alias at the start of a token. The `yaml` package bounds alias expansion (a
// "billion laughs" file); js-yaml shares the aliased object, which a later walk would still expand.
const anchorOrAlias = { expression: /(?:^|[\s,[{])[&*][^\s,[\]{}]/, needs: ['&', '*'] };

/**
 * The value of a YAML document, read about twenty times faster than with the `yaml` package, for the
 * common case of a plain, valid file: a 10,000-line manifest or lockfile. `undefined` when the text
 * needs the `yaml` package — a syntax error, a directive, a tag, anchors — which then says exactly what
 * and where.
 */
export function loadCoreYaml(text: string): { value: unknown } | undefined {
  if ([anchorOrAlias, tagOrDirective, explicitKey, collectionKey].some((check) => mayMatch(text, check))) return undefined;
  let value: unknown;
  try {
    value = load(text, { schema: coreSchema }) ?? null;
  } catch {
    return undefined;
  }
  return mayHaveNullKey(text) && hasNullKey(value) ? undefined : { value };
}

// Each expression below is tried at every position of the text (6 MB for a 10,000-line lockfile);
// `includes` of the characters it cannot match without is a faster way to say no.
function mayMatch(text: string, { expression, needs }: { expression: RegExp; needs: string[] }): boolean {
  return needs.some((part) => text.includes(part)) && expression.test(text);
}

// Tags, directives and document markers (js-yaml reads `---+: x` as a marker and the key `+`).
const tagOrDirective = { expression: /^%|^---|^\.\.\.|(?:^|[\s,[{])!/m, needs: ['%', '---', '...', '!'] };
// An explicit `? key` or a collection used as a key: js-yaml names such keys differently (a collection
// may be a key with no colon after it, as an entry of a flow mapping: `{ {}, a: b }`, so any collection
// opening after `{` or `,` is left to the `yaml` package). And a comment touching a flow collection
// (`[a]#x`), which js-yaml allows and YAML does not.
const explicitKey = { expression: /(?:^|[\s,[{])\?(?:\s|$)/m, needs: ['?'] };
const collectionKey = { expression: /[\]}][ \t]*:(?:\s|$)|[\]}]#|[{,][ \t]*[{[]/, needs: [']', '}', '{', '['] };

/**
 * `~: x` is the key "null" to js-yaml and "" to `yaml`; so is an empty key, which only a flow collection
 * allows (`{: x}`, `[ : x ]`). Without such text (an empty `[]` holds no key) the value need not be walked.
 */
function mayHaveNullKey(text: string): boolean {
  return ['~', 'null', 'Null', 'NULL'].some((part) => text.includes(part)) || /\{|\[(?!\])/.test(text);
}

function hasNullKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasNullKey);
  if (value === null || typeof value !== 'object') return false;
  for (const key in value) if (key === 'null' || hasNullKey((value as Record<string, unknown>)[key])) return true;
  return false;
}
