import fc from 'fast-check';
import { parseDocument, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadCoreYaml } from './load-core-yaml.js';

/** What the `yaml` package makes of `text`, or undefined when it reports any problem. */
function readWithYaml(text: string): unknown {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0 || document.warnings.length > 0) return undefined;
  try {
    return document.toJS({ maxAliasCount: 1000 });
  } catch {
    return undefined; // an alias to no anchor
  }
}

const scalarLike = fc.oneof(
  fc.constantFrom(
    '1_000', '0b101', '0o17', '0x1F', '-0x1F', '+12', '012', '1e3', '1E-2', '.5', '5.', '-.inf', '.NaN', '.nan', 'NaN', 'inf',
    'true', 'True', 'TRUE', 'yes', 'on', 'y', '~', 'null', 'Null', 'NULL', '2026-11-21', '2026-11-21T10:00:00Z', '12:30', '1:2:3',
    '<<', '=', '-', '- x', ': x', 'a: b', "'q'", '"d"', '#c', 'a #c', 'x:y', '@x', '`x', '|', '>', '%x', '?', '? x',
  ),
  fc.stringMatching(/^[-+.0-9a-fA-FoxXeE_:]{1,8}$/),
  fc.string({ maxLength: 12 }),
);

describe('loadCoreYaml', () => {
  it('reads every document yaml.stringify writes as the yaml package reads it back', () => {
    const awkwardString = fc.oneof(scalarLike, fc.string());
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, awkwardString, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), tie('list'), tie('map')),
      list: fc.array(tie('node'), { maxLength: 4 }),
      map: fc.dictionary(awkwardString, tie('node'), { maxKeys: 4 }),
    })).map;
    fc.assert(
      fc.property(value, fc.constantFrom(0, 40), (document, lineWidth) => {
        const text = stringify(document, { lineWidth });
        const fast = loadCoreYaml(text);
        if (fast) expect(fast.value).toEqual(readWithYaml(text));
      }),
      { numRuns: 300 },
    );
  });

  it('resolves a plain scalar as YAML 1.2 core does, or leaves the document to the yaml package', () => {
    fc.assert(
      fc.property(scalarLike, (scalar) => {
        for (const text of [`key: ${scalar}\n`, `- ${scalar}\n`, `{ key: ${scalar} }\n`, `${scalar}: value\n`, `- { ${scalar}: value }\n`]) {
          const fast = loadCoreYaml(text);
          const slow = readWithYaml(text);
          if (fast) expect(fast.value, text).toEqual(slow);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps 1_000 and 0b101 as strings, as YAML 1.2 does, where js-yaml alone reads numbers', () => {
    expect(loadCoreYaml('a: 1_000\nb: 0b101\nc: 0x1F\nd: 0o17\ne: +12\nf: .inf\n')?.value).toEqual({ a: '1_000', b: '0b101', c: 31, d: 15, e: 12, f: Infinity });
  });

  it('leaves to the yaml package what it must judge: syntax errors, duplicate keys, anchors, tags, directives', () => {
    for (const text of ['~: x\n', '{ : x }\n', '- [ : x ]\n', 'a: {b: 1,\n  : x}\n', 'a: { # c\n  : x }\n', '? x\n: y\n', '[a, b]: 1\n', '- { {}, (: value }\n', '{ [a, b] }\n', 'a: [a]#x\n', 'a: [1, 2\n', 'a: 1\na: 2\n', 'a: &x [1]\nb: *x\n', 'a: !!binary aGk=\n', '%YAML 1.1\n---\na: yes\n', 'a: 1\n---\nb: 2\n']) {
      expect(loadCoreYaml(text), text).toBeUndefined();
    }
  });

  it('reads an empty document as null', () => {
    expect(loadCoreYaml('')).toEqual({ value: null });
    expect(loadCoreYaml('# only a comment\n')).toEqual({ value: null });
  });
});
