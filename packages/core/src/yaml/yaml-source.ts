import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../errors/diagnostic.js';

export type PathSegment = string | number;

/**
 * A parsed YAML file that can say where any value came from, so that every problem is reported as
 * `file:line:column`.
 */
export class YamlSource {
  readonly file: string;
  readonly document: Document.Parsed;
  readonly #lineCounter: LineCounter;

  private constructor(file: string, document: Document.Parsed, lineCounter: LineCounter) {
    this.file = file;
    this.document = document;
    this.#lineCounter = lineCounter;
  }

  /** Parses `text`; syntax errors come back as diagnostics (and then `value` must not be trusted). */
  static parse(text: string, file: string): { source: YamlSource; diagnostics: Diagnostic[] } {
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
    const source = new YamlSource(file, document, lineCounter);
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
    return { source, diagnostics };
  }

  toJS(): unknown {
    return this.document.toJS({ maxAliasCount: 1000 });
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
    const { line, col } = this.#lineCounter.linePos(offset);
    return { line, column: col };
  }

  diagnostic(path: readonly PathSegment[], message: string, options: { key?: boolean; severity?: 'error' | 'warning' } = {}): Diagnostic {
    const { line, column } = this.positionOf(path, options);
    return { file: this.file, line, column, path: formatPath(path), message, severity: options.severity ?? 'error' };
  }
}

/** `['voices', 'narrator', 'sample']` → `voices.narrator.sample`; `['scripts', 'a', 'lines', 2]` → `scripts.a.lines[2]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  }
  return text;
}
