import { ByteFallbackDecoder, type Decoder, SequenceDecoder, type Tokenizer } from '@huggingface/tokenizers';

const BYTE_TOKEN = /^<0x[0-9A-Fa-f]{2}>$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * ByteFallback as the Rust `tokenizers` library decodes it: a run of byte tokens that is not valid UTF-8
 * as a whole becomes one U+FFFD *per byte*. The JS port decodes the run leniently ("🙂" + half a character
 * → "🙂�"), which changes what decoded slices contain and so the exact-answer spans the reference finds.
 */
class RustByteFallbackDecoder extends ByteFallbackDecoder {
  override decode_chain(tokens: string[]): string[] {
    const out: string[] = [];
    let bytes: number[] = [];
    const flush = (): void => {
      if (bytes.length === 0) return;
      try {
        out.push(strictUtf8.decode(Uint8Array.from(bytes)));
      } catch {
        out.push('\uFFFD'.repeat(bytes.length));
      }
      bytes = [];
    };
    for (const token of tokens) {
      if (BYTE_TOKEN.test(token)) {
        bytes.push(parseInt(token.slice(3, 5), 16));
      } else {
        flush();
        out.push(token);
      }
    }
    flush();
    return out;
  }
}

/** Swaps every ByteFallback step of the tokenizer's decoder for the Rust-faithful one (a no-op for others). */
export function useRustByteFallback(tokenizer: Tokenizer): void {
  const replace = (decoder: Decoder): Decoder => {
    if (decoder instanceof SequenceDecoder) {
      decoder.decoders = decoder.decoders.map(replace);
      return decoder;
    }
    if (decoder instanceof ByteFallbackDecoder && !(decoder instanceof RustByteFallbackDecoder)) {
      const rust = new RustByteFallbackDecoder(decoder.config as ConstructorParameters<typeof ByteFallbackDecoder>[0]);
      rust.added_tokens = decoder.added_tokens;
      rust.end_of_word_suffix = decoder.end_of_word_suffix;
      return rust;
    }
    return decoder;
  };
  if (tokenizer.decoder !== null) tokenizer.decoder = replace(tokenizer.decoder);
}
