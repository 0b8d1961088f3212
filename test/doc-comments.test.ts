// Every function of the public API (what index.ts exports: functions, consts
// holding functions, those of the namespaces mx.random and mx.utils, and the
// public methods of exported classes) has a doc comment with an @example, as
// TypeDoc renders them; declarations tagged @internal are left out, as TypeDoc
// leaves them out. Every ```ts block of an @example is type-checked and run on
// the cpu backend. In an example `mx` is `import * as mx from "mlx-ts"`, and a
// top-level line
//   expression; // value        checks that the expression equals `value`, a JS
//                               literal (numbers, NaN, Infinity, strings, bigints,
//                               booleans, null, lists and objects of them, typed
//                               arrays of them: `new Float32Array([1, 2])`)
//   console.log(...); // text   checks what it prints, as test/readme.test.ts does
//   await mx.print(...); // text  the same for mx.print
// (a text ending in "..." is a prefix). ```ts no-run: type-checked, not run.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { format } from "node:util";
import ts from "typescript";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as mx from "../index.js";


const root = new URL("../", import.meta.url);
const rootPath = root.pathname;
const snippetDir = new URL("./.snippets/api/", import.meta.url);
rmSync(snippetDir, { recursive: true, force: true });
mkdirSync(snippetDir, { recursive: true });

const config = ts.getParsedCommandLineOfConfigFile(new URL("tsconfig.json", root).pathname, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
if (!config) throw new Error("tsconfig.json could not be read");
// an example may name a value it does not use (the project itself has noUnusedLocals)
const options = { ...config.options, noEmit: true, noUnusedLocals: false };

// ---- the public API, as the compiler sees index.ts ----

interface ApiEntry {
  /** As a user writes it after `mx.`: `exp`, `random.normal`, `MxArray.add`. */
  name: string;
  /** The declarations whose doc comments document it (each overload signature of an overloaded function). */
  docNodes: ts.Node[];
}

const apiProgram = ts.createProgram([new URL("index.ts", root).pathname], options);
const checker = apiProgram.getTypeChecker();

/** The declarations a reader sees: overload signatures without the implementation, when there are overloads. */
function signatures(decls: readonly ts.Declaration[]): ts.Declaration[] {
  const bodies = decls.filter((d) => (ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d)) && d.body);
  return decls.length > 1 && bodies.length === 1 ? decls.filter((d) => !bodies.includes(d)) : [...decls];
}

const isInternal = (d: ts.Node) => ts.getJSDocTags(d).some((t) => t.tagName.text === "internal");

function publicMethods(className: string, cls: ts.Symbol): ApiEntry[] {
  const instance = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(cls));
  const statics = checker.getPropertiesOfType(checker.getTypeOfSymbol(cls)).filter((p) => p.name !== "prototype");
  return [...instance, ...statics].flatMap((member) => {
    const decls = (member.declarations ?? []).filter((d) => ts.isMethodDeclaration(d) || ts.isMethodSignature(d)) as (ts.MethodDeclaration | ts.MethodSignature)[];
    const first = decls[0];
    if (!first || ts.isPrivateIdentifier(first.name) || ts.getCombinedModifierFlags(first) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return [];
    if (decls.some(isInternal)) return [];
    return [{ name: `${className}.${first.name.getText()}`, docNodes: signatures(decls) }];
  });
}

function apiOf(module: ts.Symbol, prefix = "", seen = new Set<ts.Symbol>()): ApiEntry[] {
  return checker.getExportsOfModule(module).flatMap((exported): ApiEntry[] => {
    const sym = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (seen.has(sym)) return []; // MxArray and its alias Array
    seen.add(sym);
    const name = prefix + exported.name;
    const decls = sym.declarations ?? [];
    if (decls.some(isInternal)) return [];
    if (sym.flags & ts.SymbolFlags.ValueModule) return apiOf(sym, `${name}.`, seen);
    if (sym.flags & ts.SymbolFlags.Class) return publicMethods(name, sym);
    if (sym.flags & ts.SymbolFlags.Function) return [{ name, docNodes: signatures(decls) }];
    if (sym.flags & ts.SymbolFlags.Variable && checker.getTypeOfSymbol(sym).getCallSignatures().length > 0) return [{ name, docNodes: decls }];
    return [];
  });
}

const api = apiOf(checker.getSymbolAtLocation(apiProgram.getSourceFile(new URL("index.ts", root).pathname)!)!);

// ---- doc comments and their examples ----

interface Example {
  entry: string;
  /** `file:line` of the opening fence. */
  where: string;
  /** Line of the fence in its file (1-based). */
  line: number;
  file: string;
  run: boolean;
  code: string;
  program: URL;
  /** Line (0-based, in `code`) of each checked statement: the expected value or printed text. */
  checks: Map<number, { kind: "value" | "printed"; want: string }>;
}

/** Where a node starts, as `path:line` relative to the repository root. */
function whereOf(node: ts.Node, lineOffset = 0): { file: string; line: number } {
  const source = node.getSourceFile();
  return { file: source.fileName.slice(rootPath.length), line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 + lineOffset };
}

/** The doc comment of a declaration as lines without the comment markers, and the line of its `/**`. */
function docLines(node: ts.Node): { lines: string[]; doc: ts.JSDoc } | undefined {
  const doc = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc).at(-1);
  if (!doc) return undefined;
  const raw = doc.getSourceFile().text.slice(doc.getStart(), doc.end);
  const lines = raw.replace(/^\/\*\*/, "").replace(/\*\/$/, "").split("\n").map((l) => l.replace(/^\s*\* ?/, ""));
  return { lines, doc };
}

interface DocSummary {
  hasText: boolean;
  examples: Omit<Example, "program" | "checks">[];
}

/** The description and the ```ts blocks of the @example tags of one doc comment. */
function summarize(entry: string, node: ts.Node): DocSummary | undefined {
  const found = docLines(node);
  if (!found) return undefined;
  const { lines, doc } = found;
  const firstTag = lines.findIndex((l) => l.trimStart().startsWith("@"));
  const hasText = lines.slice(0, firstTag < 0 ? lines.length : firstTag).some((l) => l.trim() !== "");
  const examples: DocSummary["examples"] = [];
  let inExample = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const fence = /^\s*```(\S*)\s*(.*)$/.exec(l);
    if (fence) {
      const end = lines.findIndex((m, j) => j > i && /^\s*```\s*$/.test(m));
      if (end < 0) throw new Error(`${entry}: a code block in its doc comment is never closed`);
      if (inExample && fence[1] === "ts") {
        const { file, line } = whereOf(doc, i);
        const flags = fence[2]!.trim();
        if (flags && !/^no-run\b/.test(flags)) throw new Error(`${file}:${line}: unknown flag '${flags}' after \`\`\`ts (known: no-run)`);
        examples.push({ entry, where: `${file}:${line}`, file, line, run: !flags, code: lines.slice(i + 1, end).join("\n") });
      }
      i = end;
      continue;
    }
    if (l.trimStart().startsWith("@")) inExample = l.trimStart().startsWith("@example");
  }
  return { hasText, examples };
}

/** Whether `e` is a JS literal value: what an example's `// value` may say. */
function isLiteral(e: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(e)) return isLiteral(e.expression);
  if (ts.isNumericLiteral(e) || ts.isBigIntLiteral(e) || ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return true;
  if ([ts.SyntaxKind.TrueKeyword, ts.SyntaxKind.FalseKeyword, ts.SyntaxKind.NullKeyword].includes(e.kind)) return true;
  if (ts.isIdentifier(e)) return ["NaN", "Infinity", "undefined"].includes(e.text);
  if (ts.isPrefixUnaryExpression(e)) return e.operator === ts.SyntaxKind.MinusToken && isLiteral(e.operand);
  if (ts.isArrayLiteralExpression(e)) return e.elements.every(isLiteral);
  if (ts.isObjectLiteralExpression(e)) return e.properties.every((p) => ts.isPropertyAssignment(p) && isLiteral(p.initializer));
  // a typed array of literal elements: what data() gives
  if (ts.isNewExpression(e)) return /^(Big)?(Int|Uint|Float)(8|16|32|64)(Clamped)?Array$/.test(e.expression.getText()) && (e.arguments ?? []).every(isLiteral);
  return false;
}

const HEADER = [
  "declare const __check: (line: number, got: unknown, want: unknown) => void;",
  "declare const __log: (line: number, ...args: unknown[]) => void;",
  "declare const __print: (line: number, ...args: unknown[]) => Promise<void>;",
];

/** The example as a module: checked lines report to __check, __log and __print; `mx` and "mlx-ts" are this checkout. */
function programOf(ex: Omit<Example, "program" | "checks">, index: number, problems: string[]): Example {
  const source = ts.createSourceFile("example.ts", ex.code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const checks: Example["checks"] = new Map();
  const edits: { start: number; end: number; text: string }[] = [];
  for (const st of source.statements) {
    const comment = ts.getTrailingCommentRanges(ex.code, st.end)?.[0];
    if (!ts.isExpressionStatement(st) || comment?.kind !== ts.SyntaxKind.SingleLineCommentTrivia) continue;
    const want = ex.code.slice(comment.pos + 2, comment.end).trim();
    const line = source.getLineAndCharacterOfPosition(st.end).line;
    const call = ts.isAwaitExpression(st.expression) ? st.expression.expression : st.expression;
    const callee = ts.isCallExpression(call) ? call.expression.getText(source) : "";
    const args = ts.isCallExpression(call) ? ex.code.slice(call.arguments.pos, call.arguments.end) : "";
    if (callee === "console.log" || (callee === "mx.print" && call !== st.expression)) {
      checks.set(line, { kind: "printed", want });
      const target = callee === "console.log" ? "__log" : "await __print";
      edits.push({ start: st.getStart(source), end: st.end, text: `${target}(${line}${args.trim() ? ", " : ""}${args});` });
      continue;
    }
    const expected = ts.createSourceFile("want.ts", `(${want});`, ts.ScriptTarget.Latest, true).statements[0];
    if (!expected || !ts.isExpressionStatement(expected) || !isLiteral(expected.expression)) {
      problems.push(`${ex.file}:${ex.line + 1 + line}: '// ${want}' after an expression is its expected value and must be a JS literal`);
      continue;
    }
    checks.set(line, { kind: "value", want });
    edits.push({ start: st.getStart(source), end: st.end, text: `__check(${line}, ${st.expression.getText(source)}, ${want});` });
  }
  let body = ex.code;
  for (const e of edits.sort((a, b) => b.start - a.start)) body = body.slice(0, e.start) + e.text + body.slice(e.end);
  const importsMx = /from "mlx-ts"/.test(body);
  body = body.replace(/from "mlx-ts"/g, 'from "../../../index.js"');
  const program = new URL(`${ex.entry.replace(/[^\w.]/g, "_")}-${index}.ts`, snippetDir);
  const mxImport = importsMx ? "" : 'import * as mx from "../../../index.js";';
  writeFileSync(program, `${mxImport}\n${HEADER.join("\n")}\n${body}\nexport {};\n`);
  return { ...ex, program, checks };
}

const undocumented: { name: string; why: string }[] = [];
const literalProblems: string[] = [];
const examples: Example[] = [];
for (const entry of api) {
  entry.docNodes.forEach((node, k) => {
    const signature = entry.docNodes.length > 1 ? ` (signature ${k + 1})` : "";
    const { file, line } = whereOf(node);
    const summary = summarize(entry.name, node);
    if (!summary?.hasText) undocumented.push({ name: entry.name, why: `${file}:${line}: ${entry.name}${signature} has no doc comment` });
    else if (!summary.examples.length) undocumented.push({ name: entry.name, why: `${file}:${line}: ${entry.name}${signature} has no @example with a \`\`\`ts block` });
    summary?.examples.forEach((ex) => examples.push(programOf(ex, examples.filter((e) => e.entry === ex.entry).length + 1, literalProblems)));
  });
}

it("the public API is found: functions, namespaces' functions and class methods", () => {
  const names = new Set(api.map((e) => e.name));
  for (const name of ["array", "exp", "var", "eval", "grad", "random.normal", "utils.treeMap", "MxArray.add", "checkNumerics"]) {
    expect(names, name).toContain(name);
  }
  expect(names).not.toContain("float32"); // a DType, not a function
});

it("every exported function has a doc comment with an @example", () => {
  expect(undocumented.map((u) => u.why)).toEqual([]);
});

it("an example's `// value` comments are JS literals", () => {
  expect(literalProblems).toEqual([]);
});

it("every example type-checks", () => {
  const program = ts.createProgram(examples.map((e) => e.program.pathname), options, undefined, apiProgram);
  const problems: string[] = [];
  for (const ex of examples) {
    const source = program.getSourceFile(ex.program.pathname)!;
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      // the program's first lines are the import of mx and the HEADER; then the block, which starts on the line after the fence
      const programLine = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line;
      problems.push(`${ex.file}:${ex.line + programLine - HEADER.length}: ${ex.entry}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    }
  }
  expect(problems).toEqual([]);
}, 300_000);

describe("the examples run on the cpu backend and give what their comments say", () => {
  const initialDevice = mx.defaultDevice();
  beforeEach(() => mx.setDefaultDevice(mx.cpu));
  afterEach(() => {
    mx.setDefaultDevice(initialDevice);
    mx.setValidation(null);
    vi.restoreAllMocks();
  });

  for (const ex of examples.filter((e) => e.run)) {
    it(`${ex.entry} (${ex.where})`, async () => {
      const got = new Map<number, unknown>();
      const wanted = new Map<number, unknown>();
      const g = globalThis as Record<string, unknown>;
      g.__check = (line: number, value: unknown, want: unknown) => {
        got.set(line, value);
        wanted.set(line, want);
      };
      g.__log = (line: number, ...args: unknown[]) => got.set(line, format(...args));
      g.__print = async (line: number, ...args: unknown[]) => {
        const spy = vi.spyOn(console, "log").mockImplementation((...printed: unknown[]) => void got.set(line, format(...printed)));
        try {
          await mx.print(...args);
        } finally {
          spy.mockRestore();
        }
      };
      await import(`${ex.program.href}?t=${Date.now()}`);
      const lines = ex.code.split("\n");
      for (const [line, check] of ex.checks) {
        const where = `${ex.file}:${ex.line + 1 + line}: ${lines[line]!.trim()}`;
        expect(got.has(line), `${where}: never ran`).toBe(true);
        const value = got.get(line);
        if (check.kind === "printed") {
          if (check.want.endsWith("...")) expect(value, where).toMatch(new RegExp(`^${check.want.slice(0, -3).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
          else expect(value, where).toBe(check.want);
          continue;
        }
        expect(value instanceof Promise, `${where}: the value is a Promise; await it`).toBe(false);
        expect(value, where).toEqual(wanted.get(line));
      }
    });
  }
});
