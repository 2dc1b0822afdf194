/**
 * Every message the tool can print, read from the source with the TypeScript parser: the first
 * text argument of usageError / failedError / new ArchonError / LockfileError / DatabaseError /
 * GitError / InvalidArgumentError / fail(...), every `message: …` property and `message = …`
 * assignment, what `…Message()` functions return, and `warnings.push(…)`. Each message becomes a
 * template (`${x}` → `<…>`) and a stable fragment: its longest literal run, which the README's
 * troubleshooting section must contain.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface SourceMessage {
  /** src-relative file, e.g. "core/lockfile.ts" */
  file: string;
  line: number;
  /** the message with each placeholder written as <…> */
  template: string;
  /** the longest literal run, trimmed: what the documentation must contain */
  fragment: string;
}

/** Error constructors: their first argument is the message. */
const ERROR_CALLS = new Set(['usageError', 'failedError', 'ArchonError', 'LockfileError', 'DatabaseError', 'GitError', 'InvalidArgumentError']);
/** Local `fail(line, problem, hint)` / `bad(problem)` helpers: their first text argument is the message. */
const FAIL_CALLS = new Set(['fail', 'bad']);
/** Functions whose returned strings are messages. */
const MESSAGE_FUNCTIONS = /Message$|^applyDirective$/;
/** Fragments shorter than this say nothing on their own (`: `, ` at `). */
export const MIN_FRAGMENT = 10;

/** The literal pieces of an expression; each alternative of a `?:` is its own message. */
function alternatives(node: ts.Expression): string[][] {
  if (ts.isParenthesizedExpression(node)) return alternatives(node.expression);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [[node.text]];
  if (ts.isTemplateExpression(node)) {
    const pieces = [node.head.text];
    for (const span of node.templateSpans) pieces.push('\u0000', span.literal.text);
    return [pieces];
  }
  if (ts.isConditionalExpression(node)) return [...alternatives(node.whenTrue), ...alternatives(node.whenFalse)];
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = alternatives(node.left);
    const right = alternatives(node.right);
    return left.flatMap((l) => right.map((r) => [...l, ...r]));
  }
  return [['\u0000']];
}

function isTextual(node: ts.Expression): boolean {
  return alternatives(node).some((pieces) => pieces.some((p) => p !== '\u0000' && /[a-z]/i.test(p)));
}

function toMessages(node: ts.Expression, file: string, sf: ts.SourceFile): SourceMessage[] {
  const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const out: SourceMessage[] = [];
  for (const pieces of alternatives(node)) {
    const template = pieces.map((p) => (p === '\u0000' ? '<…>' : p)).join('');
    const literal = pieces.join('').split('\u0000').map((p) => p.replace(/^[\s:;,.—-]+|[\s:;,.—(-]+$/g, ''));
    const fragment = literal.reduce((a, b) => (b.length > a.length ? b : a), '');
    if (fragment.length < MIN_FRAGMENT) continue;
    out.push({ file, line, template, fragment });
  }
  return out;
}

function calleeName(node: ts.CallExpression | ts.NewExpression): string | undefined {
  const e = node.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

function scan(sf: ts.SourceFile, file: string): SourceMessage[] {
  const found: SourceMessage[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments) {
      const name = calleeName(node);
      const first = node.arguments[0];
      if (name !== undefined && ERROR_CALLS.has(name) && first && isTextual(first)) found.push(...toMessages(first, file, sf));
      if (name !== undefined && FAIL_CALLS.has(name)) {
        const arg = node.arguments.find((a) => isTextual(a));
        if (arg) found.push(...toMessages(arg, file, sf));
      }
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'push'
        && /warnings$/i.test(node.expression.expression.getText(sf)) && node.arguments[0]) {
        found.push(...toMessages(node.arguments[0], file, sf));
      }
    }
    if (ts.isPropertyAssignment(node) && node.name.getText(sf) === 'message' && isTextual(node.initializer)) {
      found.push(...toMessages(node.initializer, file, sf));
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken
      && ts.isIdentifier(node.left) && node.left.text === 'message' && isTextual(node.right)) {
      found.push(...toMessages(node.right, file, sf));
    }
    // const EXPECTED = { field: 'must be …' }: the config validation messages
    if (ts.isVariableDeclaration(node) && node.name.getText(sf) === 'EXPECTED' && node.initializer) {
      const init = ts.isAsExpression(node.initializer) ? node.initializer.expression : node.initializer;
      if (ts.isObjectLiteralExpression(init)) {
        for (const p of init.properties) if (ts.isPropertyAssignment(p) && isTextual(p.initializer)) found.push(...toMessages(p.initializer, file, sf));
      }
    }
    if (ts.isFunctionDeclaration(node) && node.name && MESSAGE_FUNCTIONS.test(node.name.text) && node.body) {
      const returns = (n: ts.Node): void => {
        if (ts.isReturnStatement(n) && n.expression && isTextual(n.expression)) found.push(...toMessages(n.expression, file, sf));
        else if (!ts.isFunctionLike(n)) n.forEachChild(returns);
      };
      node.body.forEachChild(returns);
    }
    node.forEachChild(visit);
  };
  visit(sf);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Every message of the source tree under `srcDir`, deduplicated by fragment. */
export function collectMessages(srcDir: string): SourceMessage[] {
  const all: SourceMessage[] = [];
  for (const full of sourceFiles(srcDir)) {
    const text = readFileSync(full, 'utf8');
    const sf = ts.createSourceFile(full, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    all.push(...scan(sf, path.relative(srcDir, full).split(path.sep).join('/')));
  }
  const seen = new Set<string>();
  return all.filter((m) => (seen.has(m.fragment) ? false : (seen.add(m.fragment), true)));
}

/** Text compared the way a reader sees it: no backticks or emphasis, whitespace collapsed. */
export function normalizeForSearch(text: string): string {
  return text.replace(/\\([`*_|<>])/g, '$1').replace(/`/g, '').replace(/\s+/g, ' ').trim();
}
