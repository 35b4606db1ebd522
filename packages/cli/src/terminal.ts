import { styleText } from 'node:util';

/** How the CLI writes: to which streams, with or without colour, how much. */
export interface Terminal {
  color: boolean;
  quiet: boolean;
  verbose: boolean;
  json: boolean;
  /**
   * Running in automation: `CI` is set (as GitHub Actions, GitLab CI and most CI services do), like
   * Terraform's TF_IN_AUTOMATION. Never interactive then, even with a terminal: no question, no live
   * redraw, progress as plain lines.
   */
  automation: boolean;
  /** stdout and stdin are a terminal and not in automation (live progress, questions). */
  interactive: boolean;
  out(text: string): void;
  error(text: string): void;
  style(format: Parameters<typeof styleText>[0], text: string): string;
}

export function createTerminal(options: { color: boolean; quiet: boolean; verbose: boolean; json: boolean }): Terminal {
  const color = options.color && !process.env.NO_COLOR && process.stdout.isTTY === true;
  const automation = inAutomation(process.env);
  return {
    ...options,
    color,
    automation,
    interactive: !automation && process.stdout.isTTY === true && process.stdin.isTTY === true,
    out: (text) => process.stdout.write(`${text}\n`),
    error: (text) => process.stderr.write(`${text}\n`),
    style: (format, text) => (color ? styleText(format, text) : text),
  };
}

/** `CI` set to anything but empty, `0` or `false` (`CI=false` is how people switch it off locally). */
export function inAutomation(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}
