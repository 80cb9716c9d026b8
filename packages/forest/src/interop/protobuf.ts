/**
 * The little of Protocol Buffers' wire format that an ONNX model needs, written by hand (no
 * generated code, no dependency): varints, length-delimited fields (strings, bytes, messages,
 * packed numbers) and 64-bit doubles, 32-bit floats. A message is a list of its fields' bytes.
 */
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;

/** Bytes being assembled: chunks appended, joined once at the end. */
export class ProtoWriter {
  readonly #chunks: Uint8Array[] = [];
  #length = 0;

  #push(bytes: Uint8Array): this {
    this.#chunks.push(bytes);
    this.#length += bytes.length;
    return this;
  }

  #varint(value: number | bigint): this {
    // Negative int64s are two's complement over ten bytes, as protobuf writes them.
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v !== 0n);
    return this.#push(Uint8Array.from(bytes));
  }

  #tag(field: number, wire: number): this {
    return this.#varint(field * 8 + wire);
  }

  /** An int32/int64/enum field (omitted only by the caller: proto3 writes 0 as absent, and so may we). */
  int(field: number, value: number | bigint): this {
    return this.#tag(field, WIRE_VARINT).#varint(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  bytes(field: number, value: Uint8Array): this {
    return this.#tag(field, WIRE_LENGTH).#varint(value.length).#push(value);
  }

  message(field: number, build: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  float(field: number, value: number): this {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    return this.#tag(field, WIRE_FIXED32).#push(bytes);
  }

  double(field: number, value: number): this {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    return this.#tag(field, WIRE_FIXED64).#push(bytes);
  }

  /** A repeated int32/int64 field, packed. */
  packedInts(field: number, values: ArrayLike<number>): this {
    const inner = new ProtoWriter();
    for (let i = 0; i < values.length; i++) inner.#varint(values[i]);
    return this.bytes(field, inner.finish());
  }

  /** A repeated float field, packed (values rounded to float32). */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
    return this.bytes(field, bytes);
  }

  /** A repeated double field, packed (little-endian, as the wire is). */
  packedDoubles(field: number, values: ArrayLike<number>): this {
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
    return this.bytes(field, bytes);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}
