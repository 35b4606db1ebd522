import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { PathSegment, YamlSource } from './yaml-source.js';

/** Turns a JSON pointer (`/voices/narrator/sample`) into path segments, array indexes as numbers. */
export function pointerToPath(pointer: string, value: unknown): PathSegment[] {
  if (pointer === '') return [];
  const path: PathSegment[] = [];
  let current: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      const index = Number(segment);
      path.push(index);
      current = current[index];
    } else {
      path.push(segment);
      current = current && typeof current === 'object' ? (current as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

export interface SchemaMessageOverride {
  /** Matches the formatted path of the error (`providers.minimax.apiKey`). */
  path: RegExp;
  keyword: string;
  message: string;
}

/** One schema violation, placed by path rather than by file position (what `schemaDiagnostics` positions). */
export interface SchemaProblem {
  /** Where the problem is: the prefix, then the path inside the value (an unknown key included). */
  path: PathSegment[];
  message: string;
  /** The problem is the key at `path` itself (an unknown or badly named property), not its value. */
  key: boolean;
}

/**
 * Turns ajv errors into readable problems: `required` errors point at the parent object,
 * `additionalProperties` at the unknown key. Errors that only repeat a more precise one (`if`/`then`
 * wrappers, the branches of a `oneOf`) are dropped. Of a `oneOf`/`anyOf` whose branches have types, only
 * the branch of the value's type is reported (`loudness: 5` is a number too high, not also "must be
 * object"); a value of none of its types gets one "must be A or B". Needs no YAML: the server validates
 * JSON with it.
 */
export function schemaProblems(
  errors: readonly ErrorObject[],
  value: unknown,
  options: { prefix?: readonly PathSegment[]; overrides?: readonly SchemaMessageOverride[] } = {},
): SchemaProblem[] {
  const prefix = options.prefix ?? [];
  const problems: SchemaProblem[] = [];
  const { dropped, unionMessages } = unionBranchesOfOtherTypes(errors.filter((error) => error.keyword !== 'if'));
  const relevant = errors.filter((error) => error.keyword !== 'if' && !dropped.has(error));
  for (const error of relevant) {
    const path = [...prefix, ...pointerToPath(error.instancePath, value)];
    let message: string;
    let pointAtKey = false;
    switch (error.keyword) {
      case 'additionalProperties': {
        const property = String(error.params.additionalProperty);
        path.push(property);
        pointAtKey = true;
        message = `unknown property '${property}'${allowedList(error.parentSchema)}`;
        break;
      }
      case 'required':
        // A `required` error inside a oneOf branch is noise when the oneOf itself is reported.
        if (/\/(oneOf|anyOf)\/\d+\/required$/.test(error.schemaPath) && relevant.some((other) => (other.keyword === 'oneOf' || other.keyword === 'anyOf') && other.instancePath === error.instancePath)) continue;
        message = `missing required property '${String(error.params.missingProperty)}'`;
        break;
      case 'enum':
        message = `must be one of: ${(error.params.allowedValues as unknown[]).map((item) => JSON.stringify(item)).join(', ')}`;
        break;
      case 'const':
        message = `must be ${JSON.stringify(error.params.allowedValue)}`;
        break;
      case 'propertyNames':
        continue; // reported through the `pattern` error on the name itself, below
      case 'pattern':
        if (error.propertyName !== undefined) {
          path.push(error.propertyName);
          pointAtKey = true;
          message = `name '${error.propertyName}' is not allowed: it must match ${String(error.params.pattern)}`;
        } else {
          message = `must match ${String(error.params.pattern)}`;
        }
        break;
      case 'oneOf':
      case 'anyOf':
        if (unionMessages.has(error)) {
          message = unionMessages.get(error)!;
          break;
        }
        if (relevant.some((other) => other !== error && other.instancePath === error.instancePath && other.keyword !== 'oneOf' && other.keyword !== 'anyOf' && other.keyword !== 'required')) continue;
        message = oneOfMessage(error);
        break;
      case 'not':
        message = notMessage(error);
        break;
      default:
        message = error.message ?? `fails ${error.keyword}`;
    }
    const formatted = path.map(String).join('.');
    const override = options.overrides?.find((candidate) => candidate.keyword === error.keyword && candidate.path.test(formatted));
    if (override) message = override.message;
    problems.push({ path, message, key: pointAtKey });
  }
  return problems;
}

/** {@link schemaProblems} placed on the YAML node at fault, each reported once. */
export function schemaDiagnostics(
  errors: readonly ErrorObject[],
  value: unknown,
  source: YamlSource,
  options: { prefix?: readonly PathSegment[]; overrides?: readonly SchemaMessageOverride[] } = {},
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const problem of schemaProblems(errors, value, options)) {
    const diagnostic = source.diagnostic(problem.path, problem.message, { key: problem.key });
    const identity = `${diagnostic.line}:${diagnostic.column}:${diagnostic.message}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    diagnostics.push(diagnostic);
  }
  return diagnostics;
}

/**
 * For each `oneOf`/`anyOf` with typed branches: the errors of the branches whose type the value does
 * not have, to leave out, and the union itself when the one branch of the value's type says what is
 * wrong. A value of none of the branches' types keeps only the union, worded as "must be A or B".
 * Branches are recognised by schema path, so a branch that is itself a `$ref` keeps its errors.
 */
function unionBranchesOfOtherTypes(errors: readonly ErrorObject[]): { dropped: Set<ErrorObject>; unionMessages: Map<ErrorObject, string> } {
  const dropped = new Set<ErrorObject>();
  const unionMessages = new Map<ErrorObject, string>();
  for (const union of errors) {
    if ((union.keyword !== 'oneOf' && union.keyword !== 'anyOf') || !Array.isArray(union.schema) || !('data' in union)) continue;
    const branches = union.schema as Array<{ type?: string | string[] } | boolean>;
    const admitted = branches.map((branch) => typeof branch !== 'object' || branch.type === undefined || typesOf(branch).some((type) => hasType(union.data, type)));
    if (admitted.every(Boolean)) continue;
    const inBranch = (error: ErrorObject, index: number) =>
      error !== union &&
      (error.instancePath === union.instancePath || error.instancePath.startsWith(`${union.instancePath}/`)) &&
      error.schemaPath.startsWith(`${union.schemaPath}/${index}/`);
    for (const error of errors) if (admitted.some((isAdmitted, index) => !isAdmitted && inBranch(error, index))) dropped.add(error);
    const matching = admitted.flatMap((isAdmitted, index) => (isAdmitted ? [index] : []));
    if (matching.length === 0) {
      const types = [...new Set(branches.flatMap((branch) => (typeof branch === 'object' ? typesOf(branch) : [])))];
      unionMessages.set(union, `must be ${types.join(' or ')}`);
    } else if (matching.length === 1 && errors.some((error) => !dropped.has(error) && inBranch(error, matching[0]!))) {
      dropped.add(union);
    }
  }
  return { dropped, unionMessages };
}

function typesOf(branch: { type?: string | string[] }): string[] {
  return branch.type === undefined ? [] : Array.isArray(branch.type) ? branch.type : [branch.type];
}

/** Whether `value` has the JSON Schema `type`, loosely for numbers: 1.5 is of an integer branch, which says it must be an integer. */
function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'integer':
      return typeof value === 'number';
    default:
      return typeof value === type;
  }
}

function allowedList(parentSchema: unknown): string {
  const properties = (parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (!properties) return '';
  const names = Object.keys(properties);
  return names.length > 0 ? ` (allowed: ${names.join(', ')})` : '';
}

function oneOfMessage(error: ErrorObject): string {
  const branches = (error.schema as Array<{ required?: string[] }> | undefined) ?? [];
  const required = branches.map((branch) => branch.required?.join(' + ')).filter(Boolean);
  return required.length === branches.length && required.length > 0
    ? `needs exactly one of: ${required.map((name) => `'${name}'`).join(', ')}`
    : (error.message ?? 'must match exactly one allowed shape');
}

function notMessage(error: ErrorObject): string {
  const required = (error.schema as { required?: string[] } | undefined)?.required;
  return required ? `cannot have both ${required.map((name) => `'${name}'`).join(' and ')}` : (error.message ?? 'is not allowed');
}
