// Signs a webhook body the way the LiveKit server does: a token from the official AccessToken whose
// sha256 claim is the base64 SHA-256 of the body (the server gives it 5 minutes).
// In: { apiKey, apiSecret, body, ttl? }  Out: { authorization }
import { createHash } from 'node:crypto';
import { AccessToken } from 'livekit-server-sdk';
import { run } from './io.mjs';

await run(async (r) => {
  const at = new AccessToken(r.apiKey, r.apiSecret, { ttl: r.ttl ?? '5m' });
  at.sha256 = createHash('sha256').update(r.body, 'utf8').digest('base64');
  return { authorization: await at.toJwt() };
});
