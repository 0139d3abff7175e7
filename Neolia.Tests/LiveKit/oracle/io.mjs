// Shared by the oracle scripts: one JSON request on stdin, one JSON answer on stdout.
// Expected failures (a rejected token, an HTTP error) are answers ({ ok: false, error }), not crashes.
export async function readRequest() {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return JSON.parse(text);
}

export function answer(value) {
  process.stdout.write(JSON.stringify(value));
}

export async function run(handler) {
  try {
    answer(await handler(await readRequest()));
  } catch (e) {
    process.stderr.write(`${e?.stack ?? e}\n`);
    process.exitCode = 2;
  }
}
