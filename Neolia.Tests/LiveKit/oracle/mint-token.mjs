// Mints a token with the official AccessToken.
// In: { apiKey, apiSecret, identity?, name?, metadata?, ttl?, video?, sha256? }  Out: { jwt }
// video.canPublishSources is given as the token carries it ("camera", "screen_share", …) and handed to the SDK as
// its TrackSource values, which it writes back as those names.
import { AccessToken, TrackSource } from 'livekit-server-sdk';
import { run } from './io.mjs';

await run(async (r) => {
  const at = new AccessToken(r.apiKey, r.apiSecret, { identity: r.identity, name: r.name, metadata: r.metadata, ttl: r.ttl });
  if (r.video) {
    const video = { ...r.video };
    if (Array.isArray(video.canPublishSources)) {
      video.canPublishSources = video.canPublishSources.map((s) => TrackSource[s.toUpperCase()]);
    }
    at.addGrant(video);
  }
  if (r.sha256) at.sha256 = r.sha256;
  return { jwt: await at.toJwt() };
});
