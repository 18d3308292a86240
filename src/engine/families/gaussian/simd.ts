// WebAssembly SIMD (f64x2) kernels for the Gaussian mixture's two O(N·K·D²) loops when D ≥ 3: the E-step's
// Mahalanobis terms ‖L⁻¹(x − μ)‖² and the M-step's scatter Σ_i r_i (x_i − μ)(x_i − μ)ᵀ. JavaScript has no SIMD and
// bounds-checks every typed-array access; these loops are what sklearn hands to BLAS. The module is small enough to
// be assembled here, byte by byte, from the instruction helpers below (no toolchain, no binary in the repository).
// Wasm arithmetic is plain IEEE double (no fused multiply-add), so the kernels compute the same products as the
// JavaScript kernels in gaussian.ts, only summed in a different order (lanes), a 1e-16-relative difference.
// GaussianSimd.create returns undefined where WebAssembly SIMD is unavailable: the caller then uses its JS kernels.

// ------------------------------------------------------------------------------------------------ assembler

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

const I32 = 0x7f;
const V128 = 0x7b;
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const add = [0x6a];
const mul = [0x6c];
const ltU = [0x49];
const ltS = [0x48];
const leS = [0x4c];
const and = [0x71];
const loop = [0x03, 0x40];
const end = [0x0b];
const brIf = (depth: number) => [0x0d, depth];
const f64Load = (offset = 0) => [0x2b, 3, ...uleb(offset)];
const f64Store = (offset = 0) => [0x39, 3, ...uleb(offset)];
const f64Add = [0xa0];
const vLoad = (offset = 0) => [0xfd, 0x00, 4, ...uleb(offset)];
const vStore = (offset = 0) => [0xfd, 0x0b, 4, ...uleb(offset)];
const vSplatLoad = (offset = 0) => [0xfd, 0x0a, 3, ...uleb(offset)];
const vZero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const vLane = (lane: number) => [0xfd, 0x21, lane];
const vAdd = [0xfd, 0xf0, 0x01];
const vSub = [0xfd, 0xf1, 0x01];
const vMul = [0xfd, 0xf2, 0x01];
/** local ← local + value (value's code leaves a v128 on the stack). */
const vAccumulate = (local: number, value: number[]) => [...get(local), ...value, ...vAdd, ...set(local)];
/** local ← local + step (i32). */
const bump = (local: number, step: number[]) => [...get(local), ...step, ...add, ...set(local)];

/** A function body: locals as [count, type] runs, then the code. */
function body(locals: [number, number][], code: number[]): number[] {
  const content = [...vec(locals.map(([count, type]) => [...uleb(count), type])), ...code, ...end];
  return [...uleb(content.length), ...content];
}

/**
 * maha(x, mu, lt, dp, groups, out): for each group g of 8 rows stored feature-interleaved (x + 64·dp·g, feature r at
 * +64r, row q at +8q), out[8g + q] = Σ_c (Σ_r lt[c][r] (x_qr − mu_r))², lt a dp × dp lower-triangular matrix with zero
 * padding (dp even). Two output columns at a time, so each centred value feeds 2 products and 8 sums stay independent.
 */
function mahaBody(): number[] {
  const [X, MU, LT, DP, GROUPS, OUT] = [0, 1, 2, 3, 4, 5];
  const [G, C, XG, PA, PB, XP, MR, PEND] = [6, 7, 8, 9, 10, 11, 12, 13];
  const A = 14; // a0..a3 14–17, b0..b3 18–21, m0..m3 22–25
  const B = 18;
  const M = 22;
  const [UA, UB, MV, ZV] = [26, 27, 28, 29];
  const code: number[] = [];
  code.push(...loop); // groups
  code.push(...get(X), ...get(G), ...get(DP), ...mul, ...i32(64), ...mul, ...add, ...set(XG));
  for (let q = 0; q < 4; q++) code.push(...vZero, ...set(M + q));
  code.push(...i32(0), ...set(C));
  code.push(...loop); // column pairs
  code.push(...get(LT), ...get(C), ...get(DP), ...mul, ...i32(8), ...mul, ...add, ...set(PA));
  code.push(...get(PA), ...get(DP), ...i32(8), ...mul, ...add, ...set(PB));
  code.push(...get(PA), ...get(C), ...i32(2), ...add, ...i32(8), ...mul, ...add, ...set(PEND));
  code.push(...get(XG), ...set(XP), ...get(MU), ...set(MR));
  for (let q = 0; q < 4; q++) code.push(...vZero, ...set(A + q), ...vZero, ...set(B + q));
  code.push(...loop); // r = 0 .. c + 1
  code.push(...get(PA), ...vSplatLoad(), ...set(UA));
  code.push(...get(PB), ...vSplatLoad(), ...set(UB));
  code.push(...get(MR), ...vSplatLoad(), ...set(MV));
  for (let q = 0; q < 4; q++) {
    code.push(...get(XP), ...vLoad(16 * q), ...get(MV), ...vSub, ...set(ZV));
    code.push(...vAccumulate(A + q, [...get(UA), ...get(ZV), ...vMul]));
    code.push(...vAccumulate(B + q, [...get(UB), ...get(ZV), ...vMul]));
  }
  code.push(...bump(PA, i32(8)), ...bump(PB, i32(8)), ...bump(MR, i32(8)), ...bump(XP, i32(64)));
  code.push(...get(PA), ...get(PEND), ...ltU, ...brIf(0));
  code.push(...end);
  for (let q = 0; q < 4; q++) {
    code.push(...get(M + q), ...get(A + q), ...get(A + q), ...vMul, ...get(B + q), ...get(B + q), ...vMul, ...vAdd, ...vAdd, ...set(M + q));
  }
  code.push(...bump(C, i32(2)), ...get(C), ...get(DP), ...ltS, ...brIf(0));
  code.push(...end);
  for (let q = 0; q < 4; q++) {
    code.push(...get(OUT), ...get(G), ...i32(64), ...mul, ...add, ...get(M + q), ...vStore(16 * q));
  }
  code.push(...bump(G, i32(1)), ...get(G), ...get(GROUPS), ...ltS, ...brIf(0));
  code.push(...end);
  return body([[8, I32], [16, V128]], code);
}

/**
 * prep(xt, r, mu, z, w, d, pairs, rowBytes): for a block stored feature-major (feature f at xt + f·rowBytes, 2·pairs
 * rows), z = x − mu_f and w = r ⊙ z, in the same layout.
 */
function prepBody(): number[] {
  const [XT, R, MU, Z, W, D, PAIRS, ROW] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [F, P, PX, PZ, PW, PR] = [8, 9, 10, 11, 12, 13];
  const [MV, ZV] = [14, 15];
  const code: number[] = [];
  code.push(...loop); // features
  code.push(...get(MU), ...vSplatLoad(), ...set(MV));
  code.push(...get(XT), ...set(PX), ...get(Z), ...set(PZ), ...get(W), ...set(PW), ...get(R), ...set(PR), ...i32(0), ...set(P));
  code.push(...loop); // row pairs
  code.push(...get(PX), ...vLoad(), ...get(MV), ...vSub, ...set(ZV));
  code.push(...get(PZ), ...get(ZV), ...vStore());
  code.push(...get(PW), ...get(PR), ...vLoad(), ...get(ZV), ...vMul, ...vStore());
  code.push(...bump(PX, i32(16)), ...bump(PZ, i32(16)), ...bump(PW, i32(16)), ...bump(PR, i32(16)), ...bump(P, i32(1)));
  code.push(...get(P), ...get(PAIRS), ...ltS, ...brIf(0));
  code.push(...end);
  code.push(...bump(XT, get(ROW)), ...bump(Z, get(ROW)), ...bump(W, get(ROW)), ...bump(MU, i32(8)), ...bump(F, i32(1)));
  code.push(...get(F), ...get(D), ...ltS, ...brIf(0));
  code.push(...end);
  return body([[6, I32], [2, V128]], code);
}

/**
 * scatter(z, w, sums, d, dp, pairs, rowBytes): sums[a][b] += Σ_t w[a][t] z[b][t] for the lower triangle (b ≤ a < d),
 * 2 × 4 entries at a time (6 loads feed 16 products); entries just above the diagonal and in the padding (dp, a
 * multiple of 4) receive harmless sums. Rows d..dp−1 of z and w must be zero.
 */
function scatterBody(): number[] {
  const [Z, W, SUMS, D, DP, PAIRS, ROW] = [0, 1, 2, 3, 4, 5, 6];
  const [A_, B_, WA, WB, Z0, Z1, Z2, Z3, T, TEND, BASE] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  const S = 18; // s0q 18–21, s1q 22–25
  const [W0, W1, CV] = [26, 27, 28];
  const code: number[] = [];
  code.push(...get(PAIRS), ...i32(16), ...mul, ...set(TEND));
  code.push(...loop); // a = 0, 2, …
  code.push(...get(W), ...get(A_), ...get(ROW), ...mul, ...add, ...set(WA));
  code.push(...get(WA), ...get(ROW), ...add, ...set(WB));
  code.push(...i32(0), ...set(B_));
  code.push(...loop); // b = 0, 4, … while b ≤ a + 1 and b < d
  code.push(...get(Z), ...get(B_), ...get(ROW), ...mul, ...add, ...set(Z0));
  code.push(...get(Z0), ...get(ROW), ...add, ...set(Z1));
  code.push(...get(Z1), ...get(ROW), ...add, ...set(Z2));
  code.push(...get(Z2), ...get(ROW), ...add, ...set(Z3));
  for (let q = 0; q < 8; q++) code.push(...vZero, ...set(S + q));
  code.push(...i32(0), ...set(T));
  code.push(...loop); // row pairs
  code.push(...get(WA), ...get(T), ...add, ...vLoad(), ...set(W0));
  code.push(...get(WB), ...get(T), ...add, ...vLoad(), ...set(W1));
  for (let q = 0; q < 4; q++) {
    code.push(...get(Z0 + q), ...get(T), ...add, ...vLoad(), ...set(CV));
    code.push(...vAccumulate(S + q, [...get(W0), ...get(CV), ...vMul]));
    code.push(...vAccumulate(S + 4 + q, [...get(W1), ...get(CV), ...vMul]));
  }
  code.push(...bump(T, i32(16)), ...get(T), ...get(TEND), ...ltS, ...brIf(0));
  code.push(...end);
  code.push(...get(SUMS), ...get(A_), ...get(DP), ...mul, ...get(B_), ...add, ...i32(8), ...mul, ...add, ...set(BASE));
  for (let row = 0; row < 2; row++) {
    for (let q = 0; q < 4; q++) {
      const s = S + 4 * row + q;
      code.push(...get(BASE), ...get(BASE), ...f64Load(8 * q), ...get(s), ...vLane(0), ...get(s), ...vLane(1), ...f64Add, ...f64Add);
      code.push(...f64Store(8 * q));
    }
    if (row === 0) code.push(...bump(BASE, [...get(DP), ...i32(8), ...mul]));
  }
  code.push(...bump(B_, i32(4)));
  code.push(...get(B_), ...get(A_), ...i32(1), ...add, ...leS, ...get(B_), ...get(D), ...ltS, ...and, ...brIf(0));
  code.push(...end);
  code.push(...bump(A_, i32(2)), ...get(A_), ...get(D), ...ltS, ...brIf(0));
  code.push(...end);
  return body([[11, I32], [11, V128]], code);
}

function moduleBytes(): ArrayBuffer {
  const fnType = (params: number) => [0x60, ...vec(new Array(params).fill([I32])), 0];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([fnType(6), fnType(8), fnType(7)])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0], [1], [2]])),
    ...section(7, vec([
      [...name('maha'), 0x00, 0],
      [...name('prep'), 0x00, 1],
      [...name('scatter'), 0x00, 2],
    ])),
    ...section(10, [...uleb(3), ...mahaBody(), ...prepBody(), ...scatterBody()]),
  ];
  return new Uint8Array(bytes).buffer;
}

let compiled: WebAssembly.Module | null | undefined;

function simdModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = moduleBytes();
      compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

// ------------------------------------------------------------------------------------------------ the kernels

interface Exports {
  maha(x: number, mu: number, lt: number, dp: number, groups: number, out: number): void;
  prep(xt: number, r: number, mu: number, z: number, w: number, d: number, pairs: number, rowBytes: number): void;
  scatter(z: number, w: number, sums: number, d: number, dp: number, pairs: number, rowBytes: number): void;
}

/** Rows per E-step block (groups of 8) and per M-step block (even). */
const E_ROWS = 128;
const M_ROWS = 64;

/** One per GaussianFamily (D ≥ 3): its own wasm memory, laid out for D and K. */
export class GaussianSimd {
  /** D rounded up to a multiple of 4; padding entries stay zero. */
  readonly dp: number;
  private readonly f64: Float64Array;
  private readonly kernels: Exports;
  // Offsets, in doubles, of the regions of the wasm memory.
  private readonly lt: number;
  private readonly mu: number;
  private readonly x: number;
  private readonly out: number;
  private readonly xt: number;
  private readonly rt: number;
  private readonly z: number;
  private readonly w: number;
  private readonly sums: number;
  private readonly nonzero: Uint8Array;

  private constructor(
    readonly d: number,
    readonly k: number,
    module: WebAssembly.Module,
  ) {
    const dp = Math.ceil(d / 4) * 4;
    this.dp = dp;
    let top = 0;
    const region = (doubles: number): number => {
      const at = top;
      top += Math.ceil(doubles / 2) * 2; // 16-byte aligned
      return at;
    };
    this.lt = region(k * dp * dp);
    this.mu = region(k * dp);
    this.x = region(E_ROWS * dp);
    this.out = region(E_ROWS);
    this.xt = region(M_ROWS * dp);
    this.rt = region(M_ROWS * k);
    this.z = region(M_ROWS * dp);
    this.w = region(M_ROWS * dp);
    this.sums = region(k * dp * dp);
    // Addresses are i32: stay well inside 2 GB (beyond, create() falls back to the JavaScript kernels).
    if (top * 8 > 2 ** 31 - 65536) throw new RangeError('too large for the SIMD kernels');
    const memory = new WebAssembly.Memory({ initial: Math.ceil((top * 8) / 65536) + 1 });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.kernels = instance.exports as unknown as Exports;
    this.f64 = new Float64Array(memory.buffer);
    this.nonzero = new Uint8Array(k);
  }

  /** Kernels for D features and K components, or undefined when WebAssembly SIMD is not available here. */
  static create(d: number, k: number): GaussianSimd | undefined {
    const module = simdModule();
    if (!module) return undefined;
    try {
      return new GaussianSimd(d, k, module);
    } catch {
      return undefined;
    }
  }

  /**
   * out[i·k + j] = constant[j] − ½ ‖L_j⁻¹ (x_i − μ_j)‖² for every row and component. `lt` holds L⁻¹ = Uᵀ by rows
   * (lower triangular), `count` matrices of D × D (1 when tied: shared by every component).
   */
  eStep(values: Float64Array, n: number, means: Float64Array, lt: Float64Array, count: number, constant: Float64Array, out: Float64Array): void {
    const { d, k, dp, f64 } = this;
    for (let m = 0; m < count; m++) {
      const o = this.lt + m * dp * dp;
      for (let c = 0; c < d; c++) for (let r = 0; r <= c; r++) f64[o + c * dp + r] = lt[m * d * d + c * d + r];
    }
    for (let j = 0; j < k; j++) for (let c = 0; c < d; c++) f64[this.mu + j * dp + c] = means[j * d + c];
    const xb = this.x;
    const ob = this.out;
    for (let i0 = 0; i0 < n; i0 += E_ROWS) {
      const rows = Math.min(E_ROWS, n - i0);
      const groups = (rows + 7) >> 3;
      for (let g = 0; g < groups; g++) {
        for (let q = 0; q < 8; q++) {
          const row = i0 + 8 * g + q;
          const dst = xb + g * 8 * dp + q;
          if (row < n) {
            const src = row * d;
            for (let r = 0; r < d; r++) f64[dst + 8 * r] = values[src + r];
          } else {
            for (let r = 0; r < d; r++) f64[dst + 8 * r] = 0;
          }
        }
      }
      for (let j = 0; j < k; j++) {
        const m = count === 1 ? 0 : j;
        this.kernels.maha(8 * xb, 8 * (this.mu + j * dp), 8 * (this.lt + m * dp * dp), dp, groups, 8 * ob);
        const cj = constant[j];
        for (let t = 0; t < rows; t++) out[(i0 + t) * k + j] = cj - 0.5 * f64[ob + t];
      }
    }
  }

  /**
   * The lower triangles of S_j = Σ_i r_ij (x_i − μ_j)(x_i − μ_j)ᵀ into sums (K × D × D, row-major; entries above the
   * diagonal are left as they were); tied: their sum over j into the first D × D.
   */
  scatter(values: Float64Array, n: number, resp: Float64Array, means: Float64Array, tied: boolean, sums: Float64Array): void {
    const { d, k, dp, f64, nonzero } = this;
    const matrices = tied ? 1 : k;
    f64.fill(0, this.sums, this.sums + matrices * dp * dp);
    for (let j = 0; j < k; j++) for (let c = 0; c < d; c++) f64[this.mu + j * dp + c] = means[j * d + c];
    const rowBytes = 8 * M_ROWS;
    for (let i0 = 0; i0 < n; i0 += M_ROWS) {
      const rows = Math.min(M_ROWS, n - i0);
      const pairs = (rows + 1) >> 1;
      nonzero.fill(0);
      for (let t = 0; t < rows; t++) {
        const src = (i0 + t) * d;
        for (let f = 0; f < d; f++) f64[this.xt + f * M_ROWS + t] = values[src + f];
        const ro = (i0 + t) * k;
        for (let j = 0; j < k; j++) {
          const r = resp[ro + j];
          f64[this.rt + j * M_ROWS + t] = r;
          if (r !== 0) nonzero[j] = 1;
        }
      }
      if (rows & 1) {
        // The odd row out of the last pair: zero weight, finite values.
        for (let f = 0; f < d; f++) f64[this.xt + f * M_ROWS + rows] = 0;
        for (let j = 0; j < k; j++) f64[this.rt + j * M_ROWS + rows] = 0;
      }
      for (let j = 0; j < k; j++) {
        if (!nonzero[j]) continue;
        this.kernels.prep(8 * this.xt, 8 * (this.rt + j * M_ROWS), 8 * (this.mu + j * dp), 8 * this.z, 8 * this.w, d, pairs, rowBytes);
        this.kernels.scatter(8 * this.z, 8 * this.w, 8 * (this.sums + (tied ? 0 : j) * dp * dp), d, dp, pairs, rowBytes);
      }
    }
    for (let m = 0; m < matrices; m++) {
      for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) sums[m * d * d + a * d + b] = f64[this.sums + m * dp * dp + a * dp + b];
    }
  }
}
