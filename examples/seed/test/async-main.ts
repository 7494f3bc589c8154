/**
 * src/main.ts made to run on a device that reads only asynchronously (WebGPU), without a second
 * copy of its code: the TypeScript compiler parses main.ts and rewrites it in two ways only.
 *
 * - Every synchronous read becomes its asynchronous form (`x.item()` → `(await x.itemAsync())`,
 *   `tolist()` → `array()`, `dataSync()` → `data()`); the functions holding those reads become
 *   async, and every `run`/`show` call and call of main.ts's own functions is awaited. Printed
 *   values are read by the `show` that the caller supplies (`formatTensorAsync`).
 * - The dtype `'float64'` becomes `'float32'`: WGSL has no 64-bit floats.
 *
 * The code the transcript echoes (the string literals) is left as it is. A read inside a nested
 * function that is not a `run`/`show` body throws here, naming the line, rather than leaving a
 * promise where a value was.
 */
import * as nodePath from 'node:path';
import * as nodeUrl from 'node:url';
import * as nodeUtil from 'node:util';
import * as torch from 'autodag';
import ts from 'typescript';
import * as graphs from '../src/graphs.js';
import * as lectureDag from '../src/lecture-dag.js';

const MAIN = new URL('../src/main.ts', import.meta.url);

/** Synchronous reads and their asynchronous twins (see packages/core/src/tensor.ts). */
const ASYNC_READS: Record<string, string> = {
  item: 'itemAsync',
  tolist: 'array',
  dataSync: 'data',
};

/** The transcript functions main.ts imports from transcript.ts, here free to return promises. */
export interface AsyncTranscript {
  section(title: string): void;
  note(text: string): void;
  run<T>(code: string, body: () => T | Promise<T>): Promise<T>;
  show(code: string, body: () => unknown): Promise<void>;
}

/** main.ts's `main`, rewritten: prints the transcript through `transcript`, saves graphs in `outDir`. */
export type AsyncMain = (outDir: string) => Promise<void>;

const f = ts.factory;
const isFunction = (n: ts.Node): n is ts.FunctionLikeDeclaration =>
  ts.isFunctionDeclaration(n) ||
  ts.isArrowFunction(n) ||
  ts.isFunctionExpression(n) ||
  ts.isMethodDeclaration(n);

/** Whether `node`'s own code (not that of functions nested in it) awaits. */
function awaits(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node) => {
    if (found || isFunction(n)) return;
    if (ts.isAwaitExpression(n)) found = true;
    else ts.forEachChild(n, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

/** Whether `node` is in a function (the entry point's call of `main` is not: it stays a statement). */
function insideFunction(node: ts.Node): boolean {
  for (let n = ts.getOriginalNode(node).parent; n !== undefined; n = n.parent) {
    if (isFunction(n)) return true;
  }
  return false;
}

const callee = (n: ts.CallExpression) =>
  ts.isIdentifier(n.expression) ? n.expression.text : undefined;

function withAsync(fn: ts.FunctionLikeDeclaration): ts.Node {
  const mods = [...(ts.getModifiers(fn) ?? []), f.createModifier(ts.SyntaxKind.AsyncKeyword)];
  if (ts.isArrowFunction(fn)) {
    return f.updateArrowFunction(
      fn,
      mods,
      fn.typeParameters,
      fn.parameters,
      undefined,
      fn.equalsGreaterThanToken,
      fn.body,
    );
  }
  if (ts.isFunctionDeclaration(fn)) {
    return f.updateFunctionDeclaration(
      fn,
      mods,
      fn.asteriskToken,
      fn.name,
      fn.typeParameters,
      fn.parameters,
      undefined,
      fn.body,
    );
  }
  throw new Error(`async-main: cannot make a ${ts.SyntaxKind[fn.kind]} async`);
}

/** main.ts's text with its reads made asynchronous (see the file comment). */
export function rewriteMain(text: string): string {
  const source = ts.createSourceFile('main.ts', text, ts.ScriptTarget.Latest, true);
  const ownFunctions = new Set(
    source.statements.filter(ts.isFunctionDeclaration).map((d) => d.name?.text),
  );
  const lineOf = (n: ts.Node) =>
    source.getLineAndCharacterOfPosition(ts.getOriginalNode(n).getStart(source)).line + 1;

  const transformer: ts.TransformerFactory<ts.SourceFile> = (context) => {
    const visit = (node: ts.Node): ts.Node => {
      const parent = ts.getOriginalNode(node).parent;
      const out = ts.visitEachChild(node, visit, context);
      if (ts.isStringLiteral(out) && out.text === 'float64')
        return f.createStringLiteral('float32');
      if (
        ts.isPropertyAccessExpression(out) &&
        ts.isMetaProperty(out.expression) &&
        out.name.text === 'url'
      ) {
        return f.createIdentifier('__mainUrl');
      }
      if (ts.isCallExpression(out)) {
        const name = callee(out);
        const own = name !== undefined && ownFunctions.has(name) && insideFunction(node);
        if (name === 'run' || name === 'show' || own) {
          return f.createAwaitExpression(out);
        }
        if (
          ts.isPropertyAccessExpression(out.expression) &&
          Object.hasOwn(ASYNC_READS, out.expression.name.text) &&
          out.arguments.length === 0
        ) {
          const read = f.createCallExpression(
            f.createPropertyAccessExpression(
              out.expression.expression,
              ASYNC_READS[out.expression.name.text]!,
            ),
            undefined,
            [],
          );
          return f.createParenthesizedExpression(f.createAwaitExpression(read));
        }
      }
      if (isFunction(out) && awaits(out)) {
        const isBody =
          parent !== undefined &&
          ts.isCallExpression(parent) &&
          (callee(parent) === 'run' || callee(parent) === 'show');
        const isOwn = ts.isFunctionDeclaration(out) && parent === source;
        if (!isBody && !isOwn) {
          throw new Error(
            `main.ts:${lineOf(node)}: a read inside a nested function; only run/show bodies and main.ts's own functions are rewritten`,
          );
        }
        return withAsync(out);
      }
      return out;
    };
    return (file) => ts.visitEachChild(file, visit, context);
  };
  const result = ts.transform(source, [transformer]);
  try {
    return ts.createPrinter().printFile(result.transformed[0]!);
  } finally {
    result.dispose();
  }
}

/**
 * main.ts, rewritten by `rewriteMain` and loaded with `transcript` in place of transcript.ts
 * (the other modules it imports are the real ones): its `main`.
 * @example const main = loadAsyncMain(transcript); await main(outDir);
 */
export function loadAsyncMain(transcript: AsyncTranscript): AsyncMain {
  const text = rewriteMain(ts.sys.readFile(nodeUrl.fileURLToPath(MAIN))!);
  const js = ts.transpileModule(text, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const modules: Record<string, unknown> = {
    autodag: torch,
    'node:path': nodePath,
    'node:url': nodeUrl,
    'node:util': nodeUtil,
    './graphs.js': graphs,
    './lecture-dag.js': lectureDag,
    './transcript.js': transcript,
  };
  const require = (name: string) => {
    if (!Object.hasOwn(modules, name)) throw new Error(`async-main: main.ts imports ${name}`);
    return modules[name];
  };
  const exports: { main?: AsyncMain } = {};
  new Function('require', 'exports', '__mainUrl', js)(require, exports, MAIN.href);
  return exports.main!;
}
