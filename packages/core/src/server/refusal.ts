import type { CloneRequestProblem } from '../clone/clone-task.js';

/**
 * A request the handler refuses, with the status and words of its answer (400, 401, 403, 404, 413…).
 * Internal to the server: thrown where the problem is found, answered by the handler.
 */
export class Refusal extends Error {
  override name = 'Refusal';
  readonly status: number;
  readonly problems: CloneRequestProblem[];
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, options: { problems?: CloneRequestProblem[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.problems = options.problems ?? [];
    this.headers = options.headers ?? {};
  }

  /**
   * A 400 listing the problems, worded `path: message` like `voxform validate`: the first
   * {@link maxProblemsShown}, each cut to {@link maxProblemLength} characters, so that a request made
   * of thousands of bad fields does not get an answer (or a log line) many times its own size.
   */
  static ofProblems(problems: CloneRequestProblem[]): Refusal {
    const shown = problems.slice(0, maxProblemsShown).map((problem) => ({ path: cut(problem.path), message: cut(problem.message) }));
    const lines = shown.map((problem) => (problem.path ? `${problem.path}: ${problem.message}` : problem.message));
    const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
    const message = problems.length === 1 ? lines[0]! : `${problems.length} problems: ${lines.join('; ')}${more}`;
    return new Refusal(400, message, { problems: shown });
  }
}

const maxProblemsShown = 20;
const maxProblemLength = 300;

function cut(text: string): string {
  return text.length > maxProblemLength ? `${text.slice(0, maxProblemLength - 1)}…` : text;
}
