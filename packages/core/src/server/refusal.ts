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

  /** A 400 listing every problem, worded `path: message` like `voxform validate`. */
  static ofProblems(problems: CloneRequestProblem[]): Refusal {
    const lines = problems.map((problem) => (problem.path ? `${problem.path}: ${problem.message}` : problem.message));
    const message = lines.length === 1 ? lines[0]! : `${lines.length} problems: ${lines.join('; ')}`;
    return new Refusal(400, message, { problems });
  }
}
