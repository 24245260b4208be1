// Where in each transformer block activations are read, named as TransformerLens names its hook
// points, with the reference's (LLMsKnow) and TransformerLens's names for each, so a user can tell
// exactly which tensor a heatmap probed.

/** Probe locations, in the order the settings and the CLI list them (the first is the default). */
export const PROBE_LOCATIONS = ['mlp_out', 'resid_post', 'mlp_in', 'attn_out', 'resid_pre', 'resid_mid'] as const;
export type ProbeLocation = (typeof PROBE_LOCATIONS)[number];

export function isProbeLocation(value: unknown): value is ProbeLocation {
  return (PROBE_LOCATIONS as readonly unknown[]).includes(value);
}

/** What one location is, and its names elsewhere. `{l}` stands for the 0-based block index. */
export interface LocationInfo {
  /** The tensor, in one line. */
  description: string;
  /** The reference's (LLMsKnow `--probe_at`) name, or null when the reference cannot probe it. */
  reference: string | null;
  /** The TransformerLens hook point holding the same tensor. */
  transformerLens: string;
  /** What could be mistaken: a near-identical name that is another tensor, where the reference has it. */
  note?: string;
}

/**
 * Every location, with the reference's and TransformerLens's names. Per block l of a sequential block
 * (attention, then MLP), `resid_pre + attn_out = resid_mid` and `resid_mid + mlp_out = resid_post`
 * (plus any bias a fused norm adds into the sum), and `resid_pre` of block l + 1 is `resid_post` of l.
 */
export const LOCATION_TABLE: Readonly<Record<ProbeLocation, LocationInfo>> = {
  mlp_out: {
    description: 'MLP block output, before it is added to the residual stream',
    reference: 'mlp',
    transformerLens: 'blocks.{l}.hook_mlp_out',
    note: 'the reference default; not the residual stream (the reference also accepts mlp_last_layer_only, the same tensor)',
  },
  resid_post: {
    description: 'residual stream after the block (the hidden state the block outputs)',
    reference: null,
    transformerLens: 'blocks.{l}.hook_resid_post',
    note: 'Hugging Face output_hidden_states: layer l is hidden_states[l + 1] (the last layer before the final norm)',
  },
  mlp_in: {
    description: "input of the MLP module: the post-attention norm's output",
    reference: 'mlp_last_layer_only_input',
    transformerLens: 'blocks.{l}.ln2.hook_normalized',
    note: "not TransformerLens's hook_mlp_in, which is resid_mid (before ln2)",
  },
  attn_out: {
    description: 'attention block output (after o_proj), before it is added to the residual stream',
    reference: 'attention_output',
    transformerLens: 'blocks.{l}.hook_attn_out',
  },
  resid_pre: {
    description: 'residual stream entering the block (layer 0: the token embeddings, plus position embeddings in models that add them, e.g. GPT-2)',
    reference: null,
    transformerLens: 'blocks.{l}.hook_resid_pre',
    note: 'Hugging Face output_hidden_states: layer l is hidden_states[l]; resid_pre of layer l + 1 is resid_post of layer l',
  },
  resid_mid: {
    description: 'residual stream between attention and MLP (resid_pre + attn_out); sequential blocks only',
    reference: null,
    transformerLens: 'blocks.{l}.hook_resid_mid',
    note: "the same tensor as TransformerLens's hook_mlp_in; parallel blocks (attention and MLP side by side) have none",
  },
};

/** One line naming a location and its counterparts, e.g. for help texts and tooltips. */
export function describeLocation(location: ProbeLocation): string {
  const info = LOCATION_TABLE[location];
  const reference = info.reference === null ? 'no reference name' : `reference: ${info.reference}`;
  return `${location}: ${info.description} (${reference}; TransformerLens: ${info.transformerLens})`;
}
