import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../errors/diagnostic.js';
import { loadCoreYaml } from './load-core-yaml.js';

export type PathSegment = string | number;

/**
 * A parsed YAML file that can say where any value came from, so that every problem is reported as
 * `file:line:column`.
 */
export class YamlSource {
  readonly file: string;
  readonly #text: string;
  #document: Document.Parsed | undefined;
  #lineCounter: LineCounter | undefined;
  #value: { value: unknown } | undefined;

  private constructor(file: string, text: string, value?: { value: unknown }) {
    this.file = file;
    this.#text = text;
    this.#value = value;
  }

  /**
   * Parses `text`; syntax errors come back as diagnostics (and then `value` must not be trusted). A
   * plain valid file is read with the fast loader, and parsed again by `yaml` only if a position is asked for.
   */
  static parse(text: string, file: string): { source: YamlSource; diagnostics: Diagnostic[] } {
    const fast = loadCoreYaml(text);
    if (fast) return { source: new YamlSource(file, text, fast), diagnostics: [] };
    const source = new YamlSource(file, text);
    const { document, lineCounter } = source.#parsed();
    const diagnostics = [...document.errors, ...document.warnings].map((problem): Diagnostic => {
      const offset = problem.pos[0];
      const { line, col } = lineCounter.linePos(offset);
      return {
        file,
        line,
        column: col,
        path: '',
        message: `YAML syntax: ${problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
        severity: problem.name === 'YAMLWarning' ? 'warning' : 'error',
      };
    });
    if (!diagnostics.some((diagnostic) => diagnostic.severity === 'error')) {
      // `yaml` reports an alias to a missing anchor, or too many aliases, only when converting.
      try {
        source.#value = { value: document.toJS({ maxAliasCount: 1000 }) };
      } catch (error) {
        const { line, col } = lineCounter.linePos(firstAliasOffset(document));
        diagnostics.push({ file, line, column: col, path: '', message: `YAML: ${(error as Error).message}`, severity: 'error' });
      }
    }
    return { source, diagnostics };
  }

  /** The document with positions, parsed on first use. */
  get document(): Document.Parsed {
    return this.#parsed().document;
  }

  #parsed(): { document: Document.Parsed; lineCounter: LineCounter } {
    if (!this.#document || !this.#lineCounter) {
      this.#lineCounter = new LineCounter();
      this.#document = parseDocument(this.#text, { lineCounter: this.#lineCounter, uniqueKeys: true, prettyErrors: false });
    }
    return { document: this.#document, lineCounter: this.#lineCounter };
  }

  toJS(): unknown {
    return this.#value ? this.#value.value : null;
  }

  /**
   * Position of the value at `path` (or of its key, with `key: true`). When the path does not exist,
   * the position of its deepest existing ancestor.
   */
  positionOf(path: readonly PathSegment[], options: { key?: boolean } = {}): { line: number; column: number } {
    let node: unknown = this.document.contents;
    let offset = (node as Node | null)?.range?.[0] ?? 0;
    for (const [depth, segment] of path.entries()) {
      const isLast = depth === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) break;
        const keyNode = pair.key as Node;
        if (isLast && options.key) {
          offset = keyNode.range?.[0] ?? offset;
          break;
        }
        node = pair.value;
        offset = (pair.value as Node | null)?.range?.[0] ?? keyNode.range?.[0] ?? offset;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | undefined;
        if (!item) break;
        node = item;
        offset = item.range?.[0] ?? offset;
      } else {
        break;
      }
    }
    const { line, col } = this.#parsed().lineCounter.linePos(offset);
    return { line, column: col };
  }

  diagnostic(path: readonly PathSegment[], message: string, options: { key?: boolean; severity?: 'error' | 'warning' } = {}): Diagnostic {
    const { line, column } = this.positionOf(path, options);
    return { file: this.file, line, column, path: formatPath(path), message, severity: options.severity ?? 'error' };
  }
}

/** Where the conversion failed: the first alias to a missing anchor, else the first alias. */
function firstAliasOffset(document: Document.Parsed): number {
  let first: number | undefined;
  let unresolved: number | undefined;
  visit(document, {
    Alias(_key, node) {
      first ??= node.range?.[0];
      if (node.resolve(document) === undefined) {
        unresolved = node.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return unresolved ?? first ?? 0;
}

/** `['voices', 'narrator', 'sample']` → `voices.narrator.sample`; `['scripts', 'a', 'lines', 2]` → `scripts.a.lines[2]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  }
  return text;
}
