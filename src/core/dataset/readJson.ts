import { type Node, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';

import { DatasetError } from './errors';
import { LineIndex } from './lineBreaks';
import { columnsOf, describeJsonType, isPlainObject, type Table } from './table';

/**
 * A JSON array of objects, or an object holding exactly one array of objects (`{"data": [...]}`).
 * Returns undefined when the text is not one JSON value but several objects, one per line (JSON Lines
 * saved as .json), so the caller can read it as JSON Lines instead.
 */
export function parseJson(file: string, text: string): Table | undefined {
  const lineIndex = new LineIndex(text);
  const tooDeep = nestingBeyond(text, MAX_NESTING);
  if (tooDeep >= 0) {
    throw new DatasetError({ file, line: lineIndex.lineAt(tooDeep) }, `JSON nested more than ${MAX_NESTING} levels deep: a dataset holds records of flat fields; this is not one`);
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: true });
  if (errors.length > 0) {
    const [first] = errors;
    if (printParseErrorCode(first.error) === 'EndOfFileExpected' && root?.type === 'object') return undefined;
    throw new DatasetError({ file, line: lineIndex.lineAt(first.offset) }, `not valid JSON (${printParseErrorCode(first.error)})`);
  }
  if (!root) throw new DatasetError({ file }, 'the file is empty');

  const array = findRecordArray(file, root);
  const records: Record<string, unknown>[] = [];
  const lines: number[] = [];
  for (const element of array.children ?? []) {
    const line = lineIndex.lineAt(element.offset);
    // JSON.parse of the element's own text gives plain objects, as for JSON Lines (getNodeValue's have no prototype).
    const value: unknown = JSON.parse(text.slice(element.offset, element.offset + element.length));
    if (!isPlainObject(value)) {
      throw new DatasetError({ file, rowIndex: records.length, line }, `expected an object per record, found ${describeJsonType(value)}`);
    }
    records.push(value);
    lines.push(line);
  }
  return { file, format: 'json', columns: columnsOf(records), records, lines };
}

// jsonc-parser's parseTree recurses per level: far deeper nesting than any dataset has ends in "Maximum
// call stack size exceeded" instead of a message, so it is refused before parsing.
const MAX_NESTING = 512;

/** Offset of the first bracket opening level `max + 1` outside strings, or -1. */
function nestingBeyond(text: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

function findRecordArray(file: string, root: Node): Node {
  if (root.type === 'array') return root;
  if (root.type === 'object') {
    // Property nodes hold [key, value]; keep the values that are arrays of objects (or empty arrays).
    const arrays = (root.children ?? []).filter(
      (property) =>
        property.children?.[1]?.type === 'array' &&
        (property.children[1].children ?? []).every((element) => element.type === 'object'),
    );
    if (arrays.length === 1) return arrays[0].children![1];
    const keys = arrays.map((property) => JSON.stringify(property.children![0].value)).join(', ');
    throw new DatasetError(
      { file },
      arrays.length === 0
        ? 'expected an array of records, or an object holding one; the top-level object holds no array of objects'
        : `expected an object holding exactly one array of records; it holds ${arrays.length} (${keys})`,
    );
  }
  throw new DatasetError({ file }, `expected an array of records, found a top-level ${root.type}`);
}
