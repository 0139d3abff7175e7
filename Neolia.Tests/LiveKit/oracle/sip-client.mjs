// Calls the official SipClient against `host` (the tests' capturing endpoint).
// In: { host, apiKey, apiSecret, method, args }  Out: { ok, result | error }
import { SipClient } from 'livekit-server-sdk';
import { run } from './io.mjs';

await run(async (r) => {
  const client = new SipClient(r.host, r.apiKey, r.apiSecret);
  const a = r.args ?? {};
  try {
    switch (r.method) {
      case 'createSipInboundTrunk': return { ok: true, result: await client.createSipInboundTrunk(a.name, a.numbers, a.opts) };
      case 'createSipOutboundTrunk': return { ok: true, result: await client.createSipOutboundTrunk(a.name, a.address, a.numbers, a.opts) };
      case 'listSipInboundTrunk': return { ok: true, result: await client.listSipInboundTrunk() };
      case 'listSipOutboundTrunk': return { ok: true, result: await client.listSipOutboundTrunk() };
      case 'deleteSipTrunk': return { ok: true, result: await client.deleteSipTrunk(a.sipTrunkId) };
      case 'createSipDispatchRule': return { ok: true, result: await client.createSipDispatchRule(a.rule, a.opts) };
      case 'listSipDispatchRule': return { ok: true, result: await client.listSipDispatchRule() };
      case 'createSipParticipant': return { ok: true, result: await client.createSipParticipant(a.sipTrunkId, a.number, a.roomName, a.opts) };
      default: throw new Error(`unknown method ${r.method}`);
    }
  } catch (e) {
    return { ok: false, error: String(e?.message ?? e) };
  }
});
