/**
 * A functional Layers model's JSON topology (the Keras format tfjs reads and writes, snake_case
 * keys) and the one edit both of its users make: renaming the layers inbound nodes point at.
 * @module
 */

/** A layer of a functional model's JSON topology. */
export interface LayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown[];
}

/** A functional model's JSON topology. */
export interface ModelJson {
  class_name: string;
  config: {
    name: string;
    layers: LayerJson[];
    input_layers: [string, number, number][];
    output_layers: [string, number, number][];
  };
}

/** Inbound nodes with every layer name mapped through `rename` (first item of each entry). */
export function renameInbound(nodes: unknown[], rename: (name: string) => string): unknown[] {
  return nodes.map((node) =>
    (node as unknown[][]).map(([name, ...rest]) => [rename(name as string), ...rest])
  );
}
