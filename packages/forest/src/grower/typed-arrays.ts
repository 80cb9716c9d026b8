/** A copy of `array` in a longer typed array of the same type (the rest zeros). */
export function resized<T extends Int32Array | Float64Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}
