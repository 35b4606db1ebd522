import { styleText } from 'node:util';

/** How the CLI writes: to which streams, with or without colour, how much. */
export interface Terminal {
  color: boolean;
  quiet: boolean;
  verbose: boolean;
  json: boolean;
  /** stdout is a terminal (live progress, questions). */
  interactive: boolean;
  out(text: string): void;
  error(text: string): void;
  style(format: Parameters<typeof styleText>[0], text: string): string;
}

export function createTerminal(options: { color: boolean; quiet: boolean; verbose: boolean; json: boolean }): Terminal {
  const color = options.color && !process.env.NO_COLOR && process.stdout.isTTY === true;
  return {
    ...options,
    color,
    interactive: process.stdout.isTTY === true && process.stdin.isTTY === true,
    out: (text) => process.stdout.write(`${text}\n`),
    error: (text) => process.stderr.write(`${text}\n`),
    style: (format, text) => (color ? styleText(format, text) : text),
  };
}
