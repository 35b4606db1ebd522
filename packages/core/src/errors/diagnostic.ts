/** One problem found in a file, with the position of the offending node. */
export interface Diagnostic {
  /** Path of the file, as given by the caller (usually relative to the working directory). */
  file: string;
  /** 1-based line; 0 when the problem has no position (for example a missing file). */
  line: number;
  /** 1-based column. */
  column: number;
  /** Dotted path inside the document, e.g. `voices.narrator.sample`; empty for the whole document. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

export function formatDiagnostic(diagnostic: Diagnostic): string {
  const position = diagnostic.line > 0 ? `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}` : diagnostic.file;
  const path = diagnostic.path ? ` ${diagnostic.path}:` : '';
  const prefix = diagnostic.severity === 'warning' ? ' warning:' : '';
  return `${position}:${prefix}${path} ${diagnostic.message}`;
}
