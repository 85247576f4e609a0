/**
 * JSON files a user writes (run specs): parsed with JSON.parse, and when that fails, located with
 * jsonc-parser's scanner so that the error names the line and column and says what was expected
 * (V8's messages give neither for most mistakes).
 */
import { readFileSync } from 'node:fs';
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
import { MixmcError } from '../errors.js';

/** What each scanner error means, for a person. */
const EXPECTED: Record<string, string> = {
  InvalidSymbol: 'a character that JSON does not allow here (keys and strings need "double quotes")',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'a "key" in double quotes (JSON allows no trailing comma)',
  ValueExpected: 'a value (the file or the value is empty)',
  ColonExpected: "a ':' after the key",
  CommaExpected: "a ',' between entries",
  CloseBraceExpected: "a '}' to close the object",
  CloseBracketExpected: "a ']' to close the list",
  EndOfFileExpected: 'the end of the file (there is text after the JSON value)',
  InvalidCommentToken: 'no comment (JSON has none)',
  UnexpectedEndOfComment: 'no comment (JSON has none)',
  UnexpectedEndOfString: 'a closing double quote',
  UnexpectedEndOfNumber: 'a complete number',
  InvalidUnicode: 'a valid \\u escape',
  InvalidEscapeCharacter: 'a valid escape',
  InvalidCharacter: 'no control character inside a string',
};

/**
 * The JSON value of `text`.
 * @throws MixmcError naming `file`, the line and column of the first mistake, and what was expected there.
 */
export function parseJson(file: string, text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const errors: ParseError[] = [];
    parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (!first) throw new MixmcError(`the ${what} is not valid JSON: ${(err as Error).message}`, { file });
    const before = text.slice(0, first.offset).split('\n');
    const code = printParseErrorCode(first.error);
    throw new MixmcError(`the ${what} is not valid JSON: expected ${EXPECTED[code] ?? code}`, {
      file,
      line: before.length,
      column: before[before.length - 1].length + 1,
    });
  }
}

/** The JSON value of a file. @throws MixmcError naming the file when it cannot be read or parsed. */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new MixmcError(code === 'ENOENT' ? `the ${what} does not exist` : `cannot read the ${what}: ${(err as Error).message}`, { file });
  }
  return parseJson(file, text, what);
}
