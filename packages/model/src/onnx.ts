/**
 * A trained model for other runtimes, as ONNX (see @rally/forest's toOnnxModel for the forest).
 *
 * exportOnnx(pipeline, id): the forest alone. Input `X`, float64 [N, 14], the feature columns in
 * `rally features` order (named in the metadata); outputs `label` and `probabilities` [N, 3].
 *
 * exportOnnx(pipeline, id, { pipeline: true }): the whole pipeline. One input per raw column of the
 * data contract, [N, 1] each, as the HTTP API takes them (numbers, the id included, float64; booleans
 * bool; categories strings), the 12 features written in standard operators, then the forest: any
 * ONNX runtime turns points into answers. The contract's checks (bounds, categories) stay the
 * caller's: a category never seen in training encodes as all zeros, as in rally.
 */
import { cellAt, ColumnExtractor, DistanceTravelledRatio, inputColumns, OneHotDropFirst, Out, WeirdNetClearance, type ColumnSpec, type FeatureTransformer, type RowBatch } from '@rally/features';
import { describeForest, ONNX_ELEMENT, ONNX_OPSETS, toOnnxModel, treeEnsembleNode, writeOnnxModel, type OnnxConstant, type OnnxElement, type OnnxNode, type OnnxValue } from '@rally/forest';
import { RallyError } from '@rally/errors';
import type { Pipeline } from './pipeline.ts';

export const EXPORT_FORMATS = ['onnx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface OnnxExport {
  /** The whole pipeline, raw columns in (default: the forest alone, feature columns in). */
  pipeline?: boolean;
  producerVersion?: string;
}

/** The .onnx bytes of a fitted pipeline; the model id and the column names go in its metadata. */
export function exportOnnx(pipeline: Pipeline, modelId: string, options: OnnxExport = {}): Uint8Array {
  const producer = options.producerVersion ? { producerVersion: options.producerVersion } : {};
  if (!options.pipeline) {
    return toOnnxModel(pipeline.estimator, {
      featureNames: pipeline.featureNames(),
      metadata: { model_id: modelId, input: 'X: the feature matrix, float64 [N, features], columns as in feature_names (rally features)' },
      ...producer,
    });
  }
  const graph = new GraphBuilder();
  const columns = inputColumns();
  const inputs: OnnxValue[] = columns.map((column) => ({ name: column.name, element: ELEMENT_OF[onnxTypeOf(column)], dims: ['N', 1] }));
  const parts = pipeline.features.features.map(([name, feature]) => featureNodes(graph, name, feature));
  graph.node('Concat', parts, ['features'], { axis: { int: 1 } });
  const forest = pipeline.estimator.toJSON();
  graph.nodes.push(treeEnsembleNode(forest, 'features'));
  return writeOnnxModel(
    {
      name: 'rally_pipeline',
      inputs,
      outputs: [
        { name: 'label', element: ONNX_ELEMENT.STRING, dims: ['N'] },
        { name: 'probabilities', element: ONNX_ELEMENT.FLOAT, dims: ['N', forest.classes.length] },
      ],
      nodes: graph.nodes,
      constants: graph.constants,
    },
    {
      docString: `rally pipeline: the ${columns.length} raw columns, ${pipeline.features.features.length} features (${forest.nFeatures} columns), then a ${describeForest(forest)}`,
      opsets: ONNX_OPSETS,
      metadata: {
        model_id: modelId,
        classes: JSON.stringify(forest.classes),
        feature_names: JSON.stringify(pipeline.featureNames()),
        input: `one input per raw column, [N, 1] each: ${columns.map((column) => column.name).join(', ')}`,
      },
      ...producer,
    },
  );
}

/** How the pipeline export takes a raw column (the names onnxruntime's Tensor constructors use). */
export type OnnxInputType = 'float64' | 'bool' | 'string';
const ELEMENT_OF = { float64: ONNX_ELEMENT.DOUBLE, bool: ONNX_ELEMENT.BOOL, string: ONNX_ELEMENT.STRING } as const;
const onnxTypeOf = (column: ColumnSpec): OnnxInputType =>
  column.type === 'boolean' ? 'bool' : column.type === 'category' ? 'string' : 'float64';

export interface OnnxInput {
  type: OnnxInputType;
  /** bool as 0/1 bytes, as onnxruntime takes them. */
  data: Float64Array | Uint8Array | string[];
  dims: [number, 1];
}

/**
 * Rows (a batch of raw columns, e.g. pointsToBatch of the HTTP API's points) as the inputs of a
 * `{ pipeline: true }` export: per input, its type, values and shape, for `new ort.Tensor(type, data, dims)`.
 */
export function pipelineOnnxInputs(batch: RowBatch): Record<string, OnnxInput> {
  return Object.fromEntries(
    inputColumns().map((column) => {
      const values = batch.columns[column.name];
      if (values === undefined) throw new RallyError('FEATURE_BAD_INPUT', `The rows have no "${column.name}" column.`);
      const at = (r: number) => cellAt(values, r);
      const type = onnxTypeOf(column);
      const data =
        type === 'bool'
          ? Uint8Array.from({ length: batch.rows }, (_, r) => (at(r) ? 1 : 0))
          : type === 'string'
            ? Array.from({ length: batch.rows }, (_, r) => String(at(r)))
            : Float64Array.from({ length: batch.rows }, (_, r) => at(r) as number);
      return [column.name, { type, data, dims: [batch.rows, 1] }];
    }),
  );
}

/** Nodes and constants being collected, with unique value names. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly constants: OnnxConstant[] = [];
  #count = 0;

  #fresh(hint: string): string {
    this.#count += 1;
    return `${hint}__${this.#count}`;
  }

  /** A node with one output named after `hint` (made unique); returns the output's name. */
  op(op: string, inputs: readonly string[], hint: string, attributes?: OnnxNode['attributes'], domain?: string): string {
    const output = this.#fresh(hint);
    this.node(op, inputs, [output], attributes, domain);
    return output;
  }

  node(op: string, inputs: readonly string[], outputs: readonly string[], attributes?: OnnxNode['attributes'], domain?: string): void {
    this.nodes.push({ op, inputs, outputs, ...(attributes ? { attributes } : {}), ...(domain ? { domain } : {}) });
  }

  double(value: number): string {
    const name = this.#fresh('const');
    this.constants.push({ name, element: ONNX_ELEMENT.DOUBLE, dims: [1], values: [value] });
    return name;
  }

  int64s(values: readonly number[]): string {
    const name = this.#fresh('const');
    this.constants.push({ name, element: ONNX_ELEMENT.INT64, dims: [values.length], values });
    return name;
  }

  /** Cast to float64 (the feature matrix's type). */
  toDouble(value: string, hint: string): string {
    return this.op('Cast', [value], hint, { to: { int: ONNX_ELEMENT.DOUBLE satisfies OnnxElement } });
  }
}

/** A feature's columns ([N, width] float64) as ONNX nodes, exactly as its transformInto computes them. */
function featureNodes(g: GraphBuilder, name: string, feature: FeatureTransformer): string {
  if (feature instanceof ColumnExtractor) return feature.columnName;
  if (feature instanceof OneHotDropFirst) {
    const { categories } = feature.getState();
    // ai.onnx.ml OneHotEncoder: [N, 1] strings to [N, 1, C] floats, all zeros for a category not in the list.
    const encoded = g.op('OneHotEncoder', [feature.columnName], `${name}.onehot`, { cats_strings: { strings: categories }, zeros: { int: 1 } }, 'ai.onnx.ml');
    const flat = g.op('Reshape', [encoded, g.int64s([-1, categories.length])], `${name}.flat`);
    const dropped = g.op('Slice', [flat, g.int64s([1]), g.int64s([categories.length]), g.int64s([1])], `${name}.dropfirst`);
    return g.toDouble(dropped, name);
  }
  if (feature instanceof Out) return g.toDouble(g.op('Or', ['outside.sideline', 'outside.baseline'], name), name);
  if (feature instanceof WeirdNetClearance) {
    const above = g.op('Greater', ['net.clearance', g.double(WeirdNetClearance.LOWER)], `${name}.above`);
    const below = g.op('Less', ['net.clearance', g.double(WeirdNetClearance.UPPER)], `${name}.below`);
    return g.toDouble(g.op('And', [above, below], name), name);
  }
  if (feature instanceof DistanceTravelledRatio) {
    const [travelled, x1, y1, x2, y2] = feature.inputColumns;
    const dx = g.op('Sub', [x1, x2], `${name}.dx`);
    const dy = g.op('Sub', [y1, y2], `${name}.dy`);
    const squares = g.op('Add', [g.op('Mul', [dx, dx], `${name}.dx2`), g.op('Mul', [dy, dy], `${name}.dy2`)], `${name}.sum`);
    const ratio = g.op('Div', [travelled, g.op('Sqrt', [squares], `${name}.straight`)], `${name}.ratio`);
    const capped = g.op('Min', [ratio, g.double(DistanceTravelledRatio.MAX)], `${name}.capped`);
    const stood = g.op('Equal', [travelled, g.double(0)], `${name}.stood`);
    return g.op('Where', [stood, g.double(1), capped], name);
  }
  throw new RallyError('MODEL_FORMAT', `The feature "${name}" has no ONNX form: export the forest alone (without --pipeline).`);
}
