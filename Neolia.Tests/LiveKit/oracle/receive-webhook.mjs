// Receives a webhook with the official WebhookReceiver (to check the oracle's own verdict).
// In: { apiKey, apiSecret, body, authorization }  Out: { ok: true, event } | { ok: false, error }
import { WebhookReceiver } from 'livekit-server-sdk';
import { run } from './io.mjs';

await run(async (r) => {
  try {
    const event = await new WebhookReceiver(r.apiKey, r.apiSecret).receive(r.body, r.authorization);
    return { ok: true, event: event.toJson() };
  } catch (e) {
    return { ok: false, error: String(e?.message ?? e) };
  }
});
