// ONNX TensorProto.DataType values this project reads or feeds.
export const ELEM_FLOAT = 1;
export const ELEM_INT32 = 6;
export const ELEM_INT64 = 7;
export const ELEM_BOOL = 9;
export const ELEM_FLOAT16 = 10;
export const ELEM_DOUBLE = 11;
export const ELEM_BFLOAT16 = 16;

const NAMES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

/** Readable name of an element type for messages ('float16', 'int64', 'type 42'). */
export function elemTypeName(elemType: number | undefined): string {
  return elemType === undefined ? 'undeclared type' : NAMES[elemType] ?? `type ${elemType}`;
}
