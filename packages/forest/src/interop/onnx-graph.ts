/**
 * An ONNX model from a plain description of its graph: typed inputs and outputs (a string dimension
 * is symbolic, the batch), nodes, constant tensors (initializers) and metadata, written as the bytes
 * of an .onnx file with the hand-written protobuf writer. Only what rally's exports use is covered.
 */
import { ProtoWriter } from './protobuf.ts';

/** ONNX's tensor element types, as far as they are used. */
export const ONNX_ELEMENT = { FLOAT: 1, INT64: 7, STRING: 8, BOOL: 9, DOUBLE: 11 } as const;
export type OnnxElement = (typeof ONNX_ELEMENT)[keyof typeof ONNX_ELEMENT];

const ATTRIBUTE = { INT: 2, STRING: 3, TENSOR: 4, INTS: 7, STRINGS: 8 } as const;
/** IR version 8 (ONNX 1.10+), read by every runtime of the last years. */
const IR_VERSION = 8;

/** An attribute: one int, one string, ints, strings, or a double tensor (`doubles`). */
export type OnnxAttribute = { int: number } | { string: string } | { ints: ArrayLike<number> } | { strings: readonly string[] } | { doubles: ArrayLike<number> };

export interface OnnxNode {
  op: string;
  /** '' (the default operators) or 'ai.onnx.ml'. */
  domain?: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Record<string, OnnxAttribute>;
}

export interface OnnxValue {
  name: string;
  element: OnnxElement;
  dims: readonly (number | string)[];
}

/** A constant: double or int64 values of the given shape. */
export interface OnnxConstant {
  name: string;
  element: typeof ONNX_ELEMENT.DOUBLE | typeof ONNX_ELEMENT.INT64;
  dims: readonly number[];
  values: readonly number[];
}

export interface OnnxGraph {
  name: string;
  inputs: readonly OnnxValue[];
  outputs: readonly OnnxValue[];
  nodes: readonly OnnxNode[];
  constants?: readonly OnnxConstant[];
}

export interface OnnxModelInfo {
  docString: string;
  producerVersion?: string;
  /** Operator set version per domain. */
  opsets: Readonly<Record<string, number>>;
  metadata?: Record<string, string>;
}

function attribute(w: ProtoWriter, name: string, value: OnnxAttribute): void {
  w.message(5, (a) => {
    a.string(1, name);
    if ('int' in value) a.int(3, value.int).int(20, ATTRIBUTE.INT);
    else if ('string' in value) a.string(4, value.string).int(20, ATTRIBUTE.STRING);
    else if ('ints' in value) a.packedInts(8, value.ints).int(20, ATTRIBUTE.INTS);
    else if ('strings' in value) {
      for (const s of value.strings) a.string(9, s);
      a.int(20, ATTRIBUTE.STRINGS);
    } else {
      const doubles = value.doubles;
      a.message(5, (t) => t.packedInts(1, [doubles.length]).int(2, ONNX_ELEMENT.DOUBLE).packedDoubles(10, doubles)).int(20, ATTRIBUTE.TENSOR);
    }
  });
}

function valueInfo(w: ProtoWriter, field: number, value: OnnxValue): void {
  w.message(field, (v) => {
    v.string(1, value.name);
    v.message(2, (type) =>
      type.message(1, (tensor) => {
        tensor.int(1, value.element);
        tensor.message(2, (shape) => {
          for (const dim of value.dims) shape.message(1, (d) => (typeof dim === 'number' ? d.int(1, dim) : d.string(2, dim)));
        });
      }),
    );
  });
}

/** The bytes of an .onnx file holding `graph`. */
export function writeOnnxModel(graph: OnnxGraph, info: OnnxModelInfo): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, IR_VERSION);
  w.string(2, 'rally');
  if (info.producerVersion) w.string(3, info.producerVersion);
  w.string(6, info.docString);
  w.message(7, (g) => {
    graph.nodes.forEach((node, i) => {
      g.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, `${node.op.toLowerCase()}_${i}`).string(4, node.op);
        for (const [name, value] of Object.entries(node.attributes ?? {})) attribute(n, name, value);
        if (node.domain) n.string(7, node.domain);
      });
    });
    g.string(2, graph.name);
    for (const constant of graph.constants ?? []) {
      g.message(5, (t) => {
        t.packedInts(1, constant.dims).int(2, constant.element).string(8, constant.name);
        if (constant.element === ONNX_ELEMENT.DOUBLE) t.packedDoubles(10, constant.values);
        else t.packedInts(7, constant.values);
      });
    }
    for (const input of graph.inputs) valueInfo(g, 11, input);
    for (const output of graph.outputs) valueInfo(g, 12, output);
  });
  for (const [domain, version] of Object.entries(info.opsets)) w.message(8, (opset) => opset.string(1, domain).int(2, version));
  for (const [key, value] of Object.entries(info.metadata ?? {})) w.message(14, (entry) => entry.string(1, key).string(2, value));
  return w.finish();
}
