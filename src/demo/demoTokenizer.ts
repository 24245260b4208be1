// The demo model's tokenizer: a GPT-2 style byte-level BPE, generated rather than trained. The vocabulary
// is the 256 byte symbols, one merge chain per demo piece (see demoText.ts) and two special tokens; the
// post-processor prepends BOS like LLaMA-3's. No chat template: it is a "base" model whose answers end
// at the newline token, as the reference's base models do.

import { demoWordPieces } from './demoText';

export const DEMO_BOS_TOKEN = '<|bos|>';
export const DEMO_EOS_TOKEN = '<|eos|>';

/** GPT-2's `bytes_to_unicode`: printable bytes map to themselves, the rest to U+0100 onwards (space → 'Ġ'). */
export function byteToUnicode(): string[] {
  const printable = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = new Array<string>(256);
  let next = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable(b) ? b : 256 + next++);
  return table;
}

/** Maps text to byte-level symbols (one per UTF-8 byte), as the ByteLevel pre-tokenizer does. */
export function toByteLevel(text: string, table = byteToUnicode()): string[] {
  return [...new TextEncoder().encode(text)].map((b) => table[b]);
}

export interface DemoTokenizerFiles {
  /** Contents of tokenizer.json. */
  tokenizer: Record<string, unknown>;
  /** Contents of tokenizer_config.json. */
  tokenizerConfig: Record<string, unknown>;
  /** Contents of special_tokens_map.json. */
  specialTokensMap: Record<string, unknown>;
  vocabSize: number;
  bosTokenId: number;
  eosTokenId: number;
}

/**
 * Byte-pair encoding of one pre-token: repeatedly merge the adjacent pair with the lowest rank (its
 * leftmost occurrence), as the BPE model of `tokenizers` does. Used to check the generated merges.
 */
export function bpeSplit(symbols: readonly string[], ranks: ReadonlyMap<string, number>): string[] {
  const parts = [...symbols];
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < parts.length; i++) {
      const rank = ranks.get(`${parts[i]} ${parts[i + 1]}`);
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        best = i;
      }
    }
    if (best < 0) return parts;
    parts.splice(best, 2, parts[best] + parts[best + 1]);
  }
}

/** A merge chain: the merges that build one piece left to right (P + next symbol). */
type MergeChain = [string, string][];

function mergeChain(symbols: readonly string[]): MergeChain {
  const chain: MergeChain = [];
  for (let k = 1; k < symbols.length; k++) chain.push([symbols.slice(0, k).join(''), symbols[k]]);
  return chain;
}

/**
 * Orders the merges so that every word of `words` (each a list of pieces forming one pre-token) splits
 * into exactly its pieces.
 *
 * Chains whose first symbol is 'Ġ' (a space) rank first: they can only start at a word start, and while
 * one of their merges applies it beats every mid-word merge, so a word's leading piece completes before a
 * trailing piece's chain can cut into it (e.g. 'an' of 'ange' into 'Ġanswer'). Mid-word chains can still
 * compete with each other ('le' of 'let' inside 'ple'); a chain that loses is moved to the front of the
 * mid-word merges until every word splits as intended.
 */
function orderMerges(words: readonly (readonly string[][])[]): [string, string][] {
  const wordStart: MergeChain = [];
  let midWord: MergeChain[] = [];
  const made = new Set<string>(); // tokens some earlier chain already builds (shared prefixes)
  const chainOf = new Map<string, MergeChain>();
  for (const word of words) {
    for (const piece of word) {
      const key = piece.join('');
      if (piece.length < 2 || chainOf.has(key)) continue;
      const chain = mergeChain(piece).filter(([a, b]) => !made.has(a + b));
      for (const [a, b] of chain) made.add(a + b);
      chainOf.set(key, chain);
      if (piece[0] === 'Ġ') wordStart.push(...chain);
      else midWord.push(chain);
    }
  }
  for (let attempt = 0; attempt <= midWord.length; attempt++) {
    const merges = [...wordStart, ...midWord.flat()];
    const ranks = new Map(merges.map(([a, b], i) => [`${a} ${b}`, i]));
    const failing = words.find((pieces) => bpeSplit(pieces.flat(), ranks).join(' ') !== pieces.map((p) => p.join('')).join(' '));
    if (!failing) return merges;
    const lost = failing.map((p) => chainOf.get(p.join(''))).filter((c): c is MergeChain => c !== undefined && midWord.includes(c));
    midWord = [...lost, ...midWord.filter((c) => !lost.includes(c))];
  }
  throw new Error('demo tokenizer: no merge order splits every demo word into its pieces');
}

/**
 * Builds the tokenizer files. `words` lists pre-tokens as their intended pieces (e.g. [' pur', 'ple']);
 * each multi-character piece gets a merge chain, ordered so each word splits exactly into its pieces.
 */
export function buildDemoTokenizer(words: readonly (readonly string[])[] = demoWordPieces()): DemoTokenizerFiles {
  const table = byteToUnicode();
  const vocab = new Map<string, number>();
  table.forEach((symbol, byte) => vocab.set(symbol, byte));
  const merges = orderMerges(words.map((pieces) => pieces.map((p) => toByteLevel(p, table))));
  for (const [a, b] of merges) vocab.set(a + b, vocab.size);
  const bosTokenId = vocab.size;
  const eosTokenId = vocab.size + 1;
  const vocabSize = vocab.size + 2;

  const addedToken = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const byteLevel = { add_prefix_space: false, trim_offsets: true, use_regex: true };

  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [addedToken(bosTokenId, DEMO_BOS_TOKEN), addedToken(eosTokenId, DEMO_EOS_TOKEN)],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', ...byteLevel },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: DEMO_BOS_TOKEN, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: DEMO_BOS_TOKEN, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: DEMO_BOS_TOKEN, type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { [DEMO_BOS_TOKEN]: { id: DEMO_BOS_TOKEN, ids: [bosTokenId], tokens: [DEMO_BOS_TOKEN] } },
    },
    decoder: { type: 'ByteLevel', ...byteLevel },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      // "a b" strings: the format every tokenizers version reads (the pair-array form needs ≥ 0.20).
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };

  // HF's tokenizer_config.json lists the added tokens by id, without the id field.
  const addedTokensDecoder = Object.fromEntries(tokenizer.added_tokens.map(({ id, ...token }) => [String(id), token]));

  const tokenizerConfig = {
    add_bos_token: true,
    add_eos_token: false,
    added_tokens_decoder: addedTokensDecoder,
    bos_token: DEMO_BOS_TOKEN,
    eos_token: DEMO_EOS_TOKEN,
    clean_up_tokenization_spaces: false,
    model_max_length: 128,
    tokenizer_class: 'PreTrainedTokenizerFast',
  };
  const specialTokensMap = { bos_token: DEMO_BOS_TOKEN, eos_token: DEMO_EOS_TOKEN };
  return { tokenizer, tokenizerConfig, specialTokensMap, vocabSize, bosTokenId, eosTokenId };
}
