// Helpers shared by the e2e scripts.

/** Where reports, screenshots and generated code go (gitignored). */
export const outDir = new URL('./out/', import.meta.url);

/** Whether a command line flag is present. */
export function flag(name) {
  return process.argv.includes(name);
}

/** The value after a command line option, if any. */
export function option(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : undefined;
}

/** The server's base URL, from --url or BRI_URL, ending in "/". */
export function baseURL() {
  const raw = option('--url') ?? process.env.BRI_URL ?? 'http://127.0.0.1:18090';
  const u = new URL(raw);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u;
}

/** The tests talk only to this machine: refuse any other host. */
export function assertLoopback(u) {
  const host = new URL(u).hostname;
  if (!(host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    throw new Error(`refusing to send traffic to ${host}: the e2e tests talk only to the loopback address`);
  }
}
