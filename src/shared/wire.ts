// The bulk of a finished fit crosses from the host to the webview as typed arrays. VS Code transfers typed arrays in
// a webview message as binary, where nested number arrays travel as JSON text: a full-MNIST fit (K = 10, ~60
// iterations of 10 × 784 means for the scrubber) is 4.6 MB of text, written and parsed on every hop. The host packs
// `done` and `restore` just before posting; the webview unpacks on arrival, so everything else sees plain FitResults.

import type { FitResult, HostToWebview, ParamsSnapshot } from './protocol';

/** Every iteration's parameters of one fit, flattened in iteration order. */
export interface PackedSnapshots {
  model: ParamsSnapshot['model'];
  count: number;
  k: number;
  d: number;
  iterations: Int32Array;
  /** count × k */
  weights: Float64Array;
  /** count × k × d */
  means: Float64Array;
  /** Gaussian: count × k × d × d */
  covariances?: Float64Array;
  /** Bernoulli: count × k */
  sizes?: Float64Array;
  /** With known labels: count × k × labels (each snapshot's clusters × labels counts). */
  confusion?: Float64Array;
  labels?: number;
}

export interface PackedResult {
  snapshots?: PackedSnapshots;
  assignments?: Int32Array;
}

type Packable = Extract<HostToWebview, { type: 'done' } | { type: 'restore' }>;

/** The message to post: `done` and `restore` with their snapshots and assignments as typed arrays; others as they are. */
export function packForWebview(message: HostToWebview): HostToWebview {
  if (message.type === 'done') {
    const packed = packResult(message.result);
    return packed ? { ...message, result: packed.result, packed: packed.packed } : message;
  }
  if (message.type === 'restore' && message.state.result) {
    const packed = packResult(message.state.result);
    return packed ? { ...message, state: { ...message.state, result: packed.result }, packed: packed.packed } : message;
  }
  return message;
}

/** The inverse of packForWebview: the message as the host had it before packing. */
export function unpackFromHost(message: HostToWebview): HostToWebview {
  if (!message || typeof message !== 'object') return message;
  if ((message.type !== 'done' && message.type !== 'restore') || !message.packed) return message;
  const { packed, ...rest } = message as Packable & { packed: PackedResult };
  if (rest.type === 'done') return { ...rest, result: unpackResult(rest.result, packed) };
  if (!rest.state.result) return rest;
  return { ...rest, state: { ...rest.state, result: unpackResult(rest.state.result, packed) } };
}

function packResult(result: FitResult): { result: FitResult; packed: PackedResult } | undefined {
  const snapshots = packSnapshots(result.snapshots);
  const assignments = Array.isArray(result.assignments) && result.assignments.length > 0 ? Int32Array.from(result.assignments) : undefined;
  if (!snapshots && !assignments) return undefined;
  return {
    result: { ...result, snapshots: snapshots ? [] : result.snapshots, assignments: assignments ? [] : result.assignments },
    packed: { snapshots, assignments },
  };
}

function unpackResult(result: FitResult, packed: PackedResult): FitResult {
  return {
    ...result,
    snapshots: packed.snapshots ? unpackSnapshots(packed.snapshots) : result.snapshots,
    assignments: packed.assignments ? Array.from(asTyped(packed.assignments, Int32Array)) : result.assignments,
  };
}

/** Undefined when there is nothing to gain or the snapshots do not share one shape (they always do from the engine). */
function packSnapshots(snapshots: ParamsSnapshot[] | undefined): PackedSnapshots | undefined {
  if (!Array.isArray(snapshots) || snapshots.length < 2) return undefined;
  const first = snapshots[0];
  if (!first) return undefined;
  const k = first.weights.length;
  const d = first.means[0]?.length ?? 0;
  const count = snapshots.length;
  const gaussian = first.model === 'gaussian';
  const packed: PackedSnapshots = {
    model: first.model,
    count,
    k,
    d,
    iterations: new Int32Array(count),
    weights: new Float64Array(count * k),
    means: new Float64Array(count * k * d),
    covariances: gaussian ? new Float64Array(count * k * d * d) : undefined,
    sizes: gaussian ? undefined : new Float64Array(count * k),
  };
  // Every snapshot has its confusion counts or none has (they come from one run).
  const labels = first.confusion?.[0]?.length;
  if (labels !== undefined) {
    packed.labels = labels;
    packed.confusion = new Float64Array(count * k * labels);
  }
  for (let t = 0; t < count; t++) {
    const s = snapshots[t];
    if (!s || s.model !== first.model || s.weights.length !== k || s.means.length !== k) return undefined;
    packed.iterations[t] = s.iteration;
    packed.weights.set(s.weights, t * k);
    for (let j = 0; j < k; j++) {
      if (s.means[j].length !== d) return undefined;
      packed.means.set(s.means[j], (t * k + j) * d);
    }
    if (s.model === 'gaussian') {
      if (s.covariances.length !== k) return undefined;
      for (let j = 0; j < k; j++) {
        const cov = s.covariances[j];
        if (cov.length !== d) return undefined;
        for (let r = 0; r < d; r++) {
          if (cov[r].length !== d) return undefined;
          packed.covariances!.set(cov[r], ((t * k + j) * d + r) * d);
        }
      }
    } else {
      if (s.sizes.length !== k) return undefined;
      packed.sizes!.set(s.sizes, t * k);
    }
    if (labels !== undefined) {
      if (s.confusion?.length !== k) return undefined;
      for (let j = 0; j < k; j++) {
        if (s.confusion[j].length !== labels) return undefined;
        packed.confusion!.set(s.confusion[j], (t * k + j) * labels);
      }
    }
  }
  return packed;
}

function unpackSnapshots(p: PackedSnapshots): ParamsSnapshot[] {
  const { count, k, d } = p;
  const iterations = asTyped(p.iterations, Int32Array);
  const weights = asTyped(p.weights, Float64Array);
  const means = asTyped(p.means, Float64Array);
  const covariances = p.covariances && asTyped(p.covariances, Float64Array);
  const sizes = p.sizes && asTyped(p.sizes, Float64Array);
  const confusion = p.confusion && p.labels ? asTyped(p.confusion, Float64Array) : undefined;
  const labels = p.labels ?? 0;
  const confusionAt = (t: number) =>
    confusion ? { confusion: Array.from({ length: k }, (_, j) => Array.from(confusion.subarray((t * k + j) * labels, (t * k + j + 1) * labels))) } : {};
  const out: ParamsSnapshot[] = new Array(count);
  for (let t = 0; t < count; t++) {
    const w = Array.from(weights.subarray(t * k, (t + 1) * k));
    const m: number[][] = new Array(k);
    for (let j = 0; j < k; j++) m[j] = Array.from(means.subarray((t * k + j) * d, (t * k + j + 1) * d));
    if (p.model === 'gaussian' && covariances) {
      const c: number[][][] = new Array(k);
      for (let j = 0; j < k; j++) {
        c[j] = new Array(d);
        for (let r = 0; r < d; r++) c[j][r] = Array.from(covariances.subarray(((t * k + j) * d + r) * d, ((t * k + j) * d + r + 1) * d));
      }
      out[t] = { model: 'gaussian', iteration: iterations[t], weights: w, means: m, covariances: c, ...confusionAt(t) };
    } else {
      out[t] = { model: p.model as 'bernoulli' | 'poisson', iteration: iterations[t], weights: w, means: m, sizes: Array.from(sizes!.subarray(t * k, (t + 1) * k)), ...confusionAt(t) };
    }
  }
  return out;
}

type TypedArrayOf<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; new (values: ArrayLike<number>): T; BYTES_PER_ELEMENT: number };

/** What arrives is the typed array VS Code rebuilt, a bare ArrayBuffer, or (from an older serializer) a plain object. */
function asTyped<T>(value: unknown, Type: TypedArrayOf<T>): T {
  if (value instanceof (Type as unknown as typeof Float64Array)) return value as T;
  if (ArrayBuffer.isView(value)) {
    const bytes = value.byteOffset % Type.BYTES_PER_ELEMENT === 0 ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
    return new Type(bytes.buffer, bytes.byteOffset, bytes.byteLength / Type.BYTES_PER_ELEMENT);
  }
  if (value instanceof ArrayBuffer) return new Type(value, 0, value.byteLength / Type.BYTES_PER_ELEMENT);
  if (Array.isArray(value)) return new Type(value);
  if (value && typeof value === 'object') return new Type(Object.values(value as Record<string, number>));
  throw new Error('a packed array of the fit did not arrive as an array');
}
