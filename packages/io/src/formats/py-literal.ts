/**
 * The Python literal subset found in `.npy` headers: a dict of string keys whose values are
 * strings, `True`/`False`/`None`, integers and tuples (or lists) of them. Anything else, or a
 * repeated key, is an {@link NpyError}.
 */
import { NpyError } from './errors.js';

function fail(message: string): never {
  throw new NpyError(message);
}

/** A Python literal value (tuples and lists both become arrays). */
export type PyValue = string | boolean | null | number | PyValue[];

/**
 * Parses the Python dict literal of a header (strings, booleans, None and tuples of ints).
 * @example parseDictLiteral("{'shape': (2, 3), }").get('shape') // [2, 3]
 */
export function parseDictLiteral(text: string): Map<string, PyValue> {
  let pos = 0;
  const err = (what: string): never =>
    fail(`cannot parse header ${JSON.stringify(text.slice(0, 200))}: ${what} at position ${pos}`);
  const ws = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const value = (depth: number): PyValue => {
    ws();
    const c = text[pos];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, pos + 1);
      if (end < 0) err('unterminated string');
      const s = text.slice(pos + 1, end);
      if (s.includes('\\')) err('escapes in strings are not supported');
      pos = end + 1;
      return s;
    }
    if (c === '(' || c === '[') {
      if (depth > 2) err('nesting too deep');
      const close = c === '(' ? ')' : ']';
      pos++;
      const items: PyValue[] = [];
      for (;;) {
        ws();
        if (text[pos] === close) {
          pos++;
          return items;
        }
        items.push(value(depth + 1));
        ws();
        if (text[pos] === ',') pos++;
        else if (text[pos] !== close) err(`expected ',' or '${close}'`);
      }
    }
    for (const [word, v] of [
      ['True', true],
      ['False', false],
      ['None', null],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return v;
      }
    }
    const num = /^-?\d+L?/.exec(text.slice(pos, pos + 40));
    if (!num) err('unexpected character');
    pos += num![0].length;
    return Number(num![0].replace('L', ''));
  };
  ws();
  if (text[pos] !== '{') err("expected '{'");
  pos++;
  const dict = new Map<string, PyValue>();
  for (;;) {
    ws();
    if (text[pos] === '}') {
      pos++;
      break;
    }
    const key = value(1);
    if (typeof key !== 'string') err('expected a string key');
    if (dict.has(key as string)) err(`duplicate key '${key}'`);
    ws();
    if (text[pos] !== ':') err("expected ':'");
    pos++;
    dict.set(key as string, value(1));
    ws();
    if (text[pos] === ',') pos++;
    else if (text[pos] !== '}') err("expected ',' or '}'");
  }
  ws();
  if (pos !== text.length) err('unexpected text after the dict');
  return dict;
}
