// Formatting: exact decimal strings with thousands separators, and the
// labels of the API's enum values.

/**
 * An exact decimal string (as the API sends amounts) with thousands
 * separators, rounded half up to `decimals` places by string arithmetic, so
 * that no digit is lost to floating point.
 */
export function groupDigits(value: string, decimals = 0): string {
  let s = value.trim();
  const negative = s.startsWith('-');
  if (negative) s = s.slice(1);
  let [int = '0', frac = ''] = s.split('.');
  if (frac.length > decimals) {
    const roundUp = (frac.charCodeAt(decimals) - 48) >= 5;
    frac = frac.slice(0, decimals);
    if (roundUp) {
      const digits = (int + frac).split('').map(Number);
      let k = digits.length - 1;
      while (k >= 0) {
        if (digits[k]! < 9) {
          digits[k]!++;
          break;
        }
        digits[k] = 0;
        k--;
      }
      let all = digits.join('');
      if (k < 0) all = '1' + all;
      int = all.slice(0, all.length - frac.length);
      frac = all.slice(all.length - frac.length);
    }
  }
  frac = frac.padEnd(decimals, '0');
  int = int.replace(/^0+(?=\d)/, '');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const zero = /^[0,]*$/.test(grouped) && /^0*$/.test(frac);
  return (negative && !zero ? '−' : '') + grouped + (decimals > 0 ? '.' + frac : '');
}

/** An exact amount in US dollars: "US$1,234,567". Null shows as a dash. */
export function usd(value: string | null | undefined): string {
  return value == null ? '—' : `US$${groupDigits(value)}`;
}

/** An amount in a currency: "1,234,567.00 EUR". */
export function money(value: string | null | undefined, currency: string | null | undefined): string {
  if (value == null) return '—';
  return `${groupDigits(value, 2)} ${currency ?? ''}`.trim();
}

/** A compact amount for chart axes: "US$1.2 bn". */
export function usdShort(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `US$${(n / 1e9).toFixed(a >= 1e10 ? 0 : 1)} bn`;
  if (a >= 1e6) return `US$${(n / 1e6).toFixed(a >= 1e7 ? 0 : 1)} m`;
  if (a >= 1e3) return `US$${(n / 1e3).toFixed(0)} k`;
  return `US$${n.toFixed(0)}`;
}

/** A percentage from a decimal string, as the API sends rates. */
export function percent(value: string | null | undefined, decimals = 2): string {
  return value == null ? '—' : `${groupDigits(value, decimals)}%`;
}

/** An integer with thousands separators. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 project", "2 projects". */
export function projects(n: number): string {
  return `${count(n)} ${n === 1 ? 'project' : 'projects'}`;
}

/** "RENEWABLE_ENERGY" as "Renewable energy"; "ODA_LIKE" as "ODA-like". */
export function label(value: string | null | undefined): string {
  if (value == null) return 'Not stated';
  const special: Record<string, string> = {
    ODA_LIKE: 'ODA-like',
    OOF_LIKE: 'OOF-like',
    ICT: 'ICT',
    NONE: 'Not green',
    ADMIN1: 'Province (ADMIN1)',
    ADMIN2: 'District (ADMIN2)',
  };
  if (special[value]) return special[value];
  const words = value.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Escapes text for HTML. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
