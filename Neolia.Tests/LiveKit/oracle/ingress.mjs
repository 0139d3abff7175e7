// Calls the official IngressClient against `host` (the tests' capturing endpoint).
// In: { host, apiKey, apiSecret, method: 'createIngress' | 'listIngress' | 'deleteIngress', args }  Out: { ok, result | error }
// createIngress's args.inputType is the enum's name ("RTMP_INPUT", "WHIP_INPUT", "URL_INPUT").
import { IngressClient, IngressInput } from 'livekit-server-sdk';
import { run } from './io.mjs';

await run(async (r) => {
  const client = new IngressClient(r.host, r.apiKey, r.apiSecret);
  try {
    switch (r.method) {
      case 'createIngress': {
        const { inputType, ...options } = r.args;
        return { ok: true, result: (await client.createIngress(IngressInput[inputType], options)).toJson() };
      }
      case 'listIngress': return { ok: true, result: (await client.listIngress(r.args ?? undefined)).map((i) => i.toJson()) };
      case 'deleteIngress': return { ok: true, result: (await client.deleteIngress(r.args.ingressId)).toJson() };
      default: throw new Error(`unknown method ${r.method}`);
    }
  } catch (e) {
    return { ok: false, error: String(e?.message ?? e) };
  }
});
