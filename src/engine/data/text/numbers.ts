// Numbers and text straight from a table's UTF-8 bytes, without a string per cell: plain decimals ("-12.5",
// "3.25e-4") are parsed from the digits where one rounding gives exactly what Number() gives for the same text; the
// rest (many digits, large exponents, words, decimal commas) is left to the caller's exact path.

/** parsePlainNumber's answer for a number it leaves to Number() (never a value it returns: those are finite). */
export const EXACT_PATH = Infinity;

/** 10^0 … 10^22: every one exactly a double. */
const POW10 = Float64Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** Most significant digits of a mantissa kept exact in a double (10^15 < 2^53). */
const MAX_DIGITS = 15;
/** An exponent beyond this is never a fast case (and never overflows the accumulator). */
const MAX_EXPONENT = 1_000_000;

/**
 * Parses src[a, b) when it is a plain decimal whose value Number() would round once: at most 15 significant digits
 * and a power of ten within 10^±22, so the mantissa and the power are exact doubles and one multiplication or
 * division rounds correctly (Clinger's fast path). Accepts exactly the texts of
 * /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/ that it can round so. Returns EXACT_PATH for the other texts
 * of that form (more digits, a larger power of ten: Number() of the text rounds them) and NaN for any other text.
 */
export function parsePlainNumber(src: Uint8Array, a: number, b: number): number {
  let i = a;
  let c = src[i];
  let negative = false;
  if (c === 45 || c === 43) {
    negative = c === 45;
    if (++i === b) return NaN;
  }
  let mantissa = 0;
  let significant = 0;
  let digits = 0;
  let scale = 0;
  while (i < b) {
    c = src[i] - 48;
    if (c < 0 || c > 9) break;
    if (significant > 0 || c !== 0) {
      significant++;
      mantissa = mantissa * 10 + c;
    }
    digits++;
    i++;
  }
  if (i < b && src[i] === 46) {
    i++;
    while (i < b) {
      c = src[i] - 48;
      if (c < 0 || c > 9) break;
      if (significant > 0 || c !== 0) {
        significant++;
        mantissa = mantissa * 10 + c;
      }
      scale--;
      digits++;
      i++;
    }
  }
  if (digits === 0) return NaN;
  if (i < b) {
    c = src[i];
    if (c !== 101 && c !== 69) return NaN;
    i++;
    let exponentNegative = false;
    if (i < b && (src[i] === 45 || src[i] === 43)) {
      exponentNegative = src[i] === 45;
      i++;
    }
    if (i === b) return NaN;
    let exponent = 0;
    while (i < b) {
      c = src[i] - 48;
      if (c < 0 || c > 9) return NaN;
      if (exponent <= MAX_EXPONENT) exponent = exponent * 10 + c;
      i++;
    }
    if (exponent > MAX_EXPONENT) return EXACT_PATH;
    scale += exponentNegative ? -exponent : exponent;
  }
  if (significant > MAX_DIGITS) return EXACT_PATH;
  let value: number;
  if (mantissa === 0) value = 0;
  else if (scale >= 0 && scale <= 22) value = mantissa * POW10[scale];
  else if (scale < 0 && scale >= -22) value = mantissa / POW10[-scale];
  else return EXACT_PATH;
  return negative ? -value : value;
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** src[a, b) as a string (UTF-8; a short ASCII run without a decoder call). */
export function bytesToString(src: Uint8Array, a: number, b: number): string {
  if (b - a <= 32) {
    let s = '';
    for (let i = a; i < b; i++) {
      const c = src[i];
      if (c >= 0x80) return utf8.decode(src.subarray(a, b));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(src.subarray(a, b));
}
