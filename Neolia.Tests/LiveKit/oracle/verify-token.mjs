// Verifies a token with the official TokenVerifier.
// In: { apiKey, apiSecret, token }  Out: { ok: true, claims } | { ok: false, error }
import { TokenVerifier } from 'livekit-server-sdk';
import { run } from './io.mjs';

await run(async (r) => {
  try {
    return { ok: true, claims: await new TokenVerifier(r.apiKey, r.apiSecret).verify(r.token) };
  } catch (e) {
    return { ok: false, error: String(e?.message ?? e) };
  }
});
