/**
 * A strict JSON reader for untrusted file headers: `JSON.parse` silently keeps the last of two
 * equal keys, which would let a header describe one tensor twice. This one rejects duplicate
 * keys, limits nesting, and returns objects without a prototype (so keys like `__proto__` are
 * plain data).
 */

/** A parsed JSON value; objects have a null prototype. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** A parsed JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Malformed JSON, with the character offset of the problem. */
export class JsonSyntaxError extends Error {
  /** For a repeated key: the key and the nesting depth of its object (1 = top level). */
  duplicateKey?: string;
  depth?: number;
}

const MAX_DEPTH = 64;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in strings
const PLAIN = /[^"\\\u0000-\u001f]*/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * Parses `text` as one JSON value (surrounding whitespace allowed).
 * @example parseJsonStrict('{"a": 1}') // { a: 1 }
 */
export function parseJsonStrict(text: string): JsonValue {
  let pos = 0;

  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at position ${pos}`);
  };
  const skipWs = () => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      pos++;
    }
  };

  const parseString = (): string => {
    pos++; // opening quote
    let out = '';
    for (;;) {
      PLAIN.lastIndex = pos;
      PLAIN.exec(text);
      out += text.slice(pos, PLAIN.lastIndex);
      pos = PLAIN.lastIndex;
      if (pos >= text.length) fail('unterminated string');
      const c = text[pos]!;
      if (c === '"') {
        pos++;
        return out;
      }
      if (c !== '\\') fail('control character in string');
      const e = text[pos + 1];
      if (e === 'u') {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape');
        out += String.fromCharCode(Number.parseInt(hex, 16));
        pos += 6;
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        pos += 2;
      } else {
        fail('invalid escape');
      }
    }
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    skipWs();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const obj: JsonObject = Object.create(null);
      skipWs();
      if (text[pos] === '}') {
        pos++;
        return obj;
      }
      for (;;) {
        skipWs();
        if (text[pos] !== '"') fail('expected a string key');
        const keyPos = pos;
        const key = parseString();
        if (Object.hasOwn(obj, key)) {
          pos = keyPos;
          const err = new JsonSyntaxError(
            `duplicate key ${JSON.stringify(key)} at position ${pos}`,
          );
          err.duplicateKey = key;
          err.depth = depth + 1;
          throw err;
        }
        skipWs();
        if (text[pos] !== ':') fail("expected ':'");
        pos++;
        obj[key] = parseValue(depth + 1);
        skipWs();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return obj;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      pos++;
      const arr: JsonValue[] = [];
      skipWs();
      if (text[pos] === ']') {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(depth + 1));
        skipWs();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return arr;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', pos)) {
      pos += 4;
      return true;
    }
    if (text.startsWith('false', pos)) {
      pos += 5;
      return false;
    }
    if (text.startsWith('null', pos)) {
      pos += 4;
      return null;
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m) return fail(pos >= text.length ? 'unexpected end of input' : 'unexpected character');
    pos = NUMBER.lastIndex;
    return Number(m[0]);
  };

  const value = parseValue(0);
  skipWs();
  if (pos !== text.length) fail('unexpected text after the JSON value');
  return value;
}
