// Calls the official RoomServiceClient against `host` (the tests' capturing endpoint).
// In: { host, apiKey, apiSecret, method: 'createRoom' | 'deleteRoom' | 'listRooms', args }  Out: { ok, result | error }
import { RoomServiceClient } from 'livekit-server-sdk';
import { run } from './io.mjs';

await run(async (r) => {
  const client = new RoomServiceClient(r.host, r.apiKey, r.apiSecret);
  try {
    switch (r.method) {
      case 'createRoom': return { ok: true, result: await client.createRoom(r.args) };
      case 'deleteRoom': await client.deleteRoom(r.args.room); return { ok: true };
      case 'listRooms': return { ok: true, result: await client.listRooms(r.args?.names) };
      default: throw new Error(`unknown method ${r.method}`);
    }
  } catch (e) {
    return { ok: false, error: String(e?.message ?? e) };
  }
});
