// Exact sums of the API's decimal strings, with BigInt: totals the
// dashboard computes itself (a year's green amount) stay exact.

function parse(s: string): { digits: bigint; scale: number } {
  const negative = s.startsWith('-');
  const [int = '0', frac = ''] = (negative ? s.slice(1) : s).split('.');
  const digits = BigInt((int || '0') + frac);
  return { digits: negative ? -digits : digits, scale: frac.length };
}

/** a + b, exactly; null counts as nothing, and null + null is null. */
export function addDecimal(a: string | null, b: string | null): string | null {
  if (a == null) return b;
  if (b == null) return a;
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  const sum = x.digits * 10n ** BigInt(scale - x.scale) + y.digits * 10n ** BigInt(scale - y.scale);
  const negative = sum < 0n;
  let s = (negative ? -sum : sum).toString().padStart(scale + 1, '0');
  if (scale > 0) s = `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
  return (negative ? '-' : '') + s;
}
