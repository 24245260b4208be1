/**
 * Display text of each token, by incremental decoding: piece i is what decoding ids[0..i] adds to the
 * decode of ids[0..i-1]. The pieces always concatenate to `decode(ids)` exactly.
 *
 * Hand-written because @huggingface/tokenizers has no offsets. Boundaries are taken as the common prefix
 * of each prefix decode with the full decode (kept non-decreasing), so decodes that are not prefix-stable
 * stay consistent: a byte-fallback token that is half a UTF-8 character decodes to U+FFFD alone and gets
 * an empty piece (the token that completes the character carries it); clean-up rules that rewrite
 * earlier text (" ." → ".") move the boundary back to what the full text really contains.
 */
export function incrementalPieces(decode: (ids: readonly number[]) => string, ids: readonly number[]): string[] {
  const full = decode(ids);
  const pieces: string[] = [];
  let start = 0;
  for (let i = 1; i <= ids.length; i++) {
    const end = i === ids.length ? full.length : Math.max(start, commonPrefixLength(decode(ids.slice(0, i)), full));
    pieces.push(full.slice(start, end));
    start = end;
  }
  return pieces;
}

function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // Never cut a surrogate pair in two: the half would be shown as garbage.
  if (i > 0 && i < b.length && isHighSurrogate(b.charCodeAt(i - 1))) i--;
  return i;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
