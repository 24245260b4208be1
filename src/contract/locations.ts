// Where in each transformer block activations are read, named as TransformerLens names its hook
// points, with the reference's (LLMsKnow) and TransformerLens's names for each, so a user can tell
// exactly which tensor a heatmap probed.

/** Probe locations, in the order the settings and the CLI list them (the first is the default). */
export const PROBE_LOCATIONS = ['mlp_out', 'resid_post', 'mlp_in', 'attn_out'] as const;
export type ProbeLocation = (typeof PROBE_LOCATIONS)[number];

export function isProbeLocation(value: unknown): value is ProbeLocation {
  return (PROBE_LOCATIONS as readonly unknown[]).includes(value);
}
