// Tokenization stage: model tokenizer → token sequence → exact-answer span → the 15 probed positions.
export { loadModelTokenizer, TokenizerLoadError, type ModelKind, type ModelTokenizer, type LoadTokenizerOptions } from './modelTokenizer';
export { TokenizerConfigError } from './tokenizerConfig';
export { buildSequence, promptTokens, SEQUENCE_RULE, SequenceError, type AnswerTokenSource, type TokenSequence } from './sequence';
export { findExactAnswerSpan, ExactAnswerNotFoundError, type ExactSpan } from './exactSpan';
export { tokenPositions, prepareSequence, PositionError, type PreparedRow } from './positions';
export { incrementalPieces } from './pieces';
export { describeRow, type RowRef } from './rowRef';
