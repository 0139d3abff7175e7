// Cuts a recorder session (ari-recorder.mjs output) into the fixture files of this folder, one per scenario mark, and
// normalises what changes from one recording to the next while keeping the real event shapes and order:
//   node Neolia.Tests/CallControl/Recordings/normalize.mjs --in session.jsonl --out Neolia.Tests/CallControl/Recordings --asterisk "Asterisk 22.10.1"
// - channel ids: the door's UNIQUEID becomes "door" (so its legs, "<door>-leg-N", become "door-leg-N"), LiveKit
//   SIP's channel "livekit-1"; the call id (32 hex digits: bridge neolia-<call>, the livekit extension) "call";
// - SIP endpoints: the apartment's, in the order CallApi dialled them, become monitor-N (indoor
//   monitors: demo-monitor-*) and softphone-N (residents' accounts); the door, "livekit" and the tenant stay;
// - times: a line's "t" is ms since the scenario's mark; absolute timestamps become 1970-01-01T00:00:00.000+0000;
// - SIP Call-IDs (protocol_id, BRIDGEPVTCALLID) become sip-call-N, channel name sequences 00000000, the sipp
//   contacts' ports 5062, RTP SSRCs 0, asterisk_id 00:00:00:00:00:00.
// No secret is in a session to begin with (the recorder writes no header); the script fails if a line still looks
// like one (Authorization, password, token).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const arg = (n) => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1] : undefined; };
const input = arg("in"), outDir = arg("out"), asterisk = arg("asterisk") ?? "";
const scenarios = JSON.parse(readFileSync(new URL("./scenarios.json", import.meta.url)));
const lines = readFileSync(input, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));

for (const [name, meta] of Object.entries(scenarios)) {
  const start = lines.findLastIndex((l) => l.kind === "mark" && l.name === name);
  if (start < 0) { console.error(`no mark ${name} in ${input}`); continue; }
  let end = lines.findIndex((l, i) => i > start && l.kind === "mark");
  if (end < 0) end = lines.length;
  const window = lines.slice(start + 1, end);
  const t0 = lines[start].t;

  const replacements = [];
  const events = window.filter((l) => l.kind === "event").map((l) => l.event);
  const door = events.find((e) => e.type === "StasisStart" && e.args?.[0] === "door")?.channel.id;
  if (door) replacements.push([door, "door"]);
  events.filter((e) => e.type === "StasisStart" && e.args?.[0] === "livekit")
    .forEach((e, i) => replacements.push([e.channel.id, `livekit-${i + 1}`]));
  // The apartment's endpoints: sessions recorded while CallApi stored the fallback in Asterisk carry CallApi's dial
  // string (POST /ari/asterisk/variable); newer ones only the originates (?endpoint=PJSIP/…), in the order dialled.
  const stored = window.find((l) => l.kind === "rest" && l.path === "/ari/asterisk/variable")?.query.value ?? "";
  const dialled = window.filter((l) => l.kind === "rest" && l.method === "POST" && l.query?.endpoint?.startsWith("PJSIP/")).map((l) => l.query.endpoint);
  let monitors = 0, softphones = 0;
  for (const endpoint of [...new Set([...stored.split("&"), ...dialled])].map((d) => d.replace(/^PJSIP\//, "")).filter(Boolean)) {
    const role = endpoint.startsWith("demo-monitor-") ? `monitor-${++monitors}` : `softphone-${++softphones}`;
    replacements.push([endpoint, role], [endpoint.replaceAll("-", ""), role.replaceAll("-", "")]);
  }
  // Endpoints outside the dial string (none expected) keep their names.
  replacements.sort((a, b) => b[0].length - a[0].length);

  const sipCallIds = new Map();
  const normalise = (text) => {
    for (const [from, to] of replacements) text = text.replace(new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "(?![0-9A-Za-z])", "g"), to);
    return text
      .replace(/\b[0-9a-f]{32}\b/g, "call")
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000/g, "1970-01-01T00:00:00.000+0000")
      .replace(/"asterisk_id":"[^"]*"/g, '"asterisk_id":"00:00:00:00:00:00"')
      .replace(/("protocol_id":"|"BRIDGEPVTCALLID","value":")([^"]+)"/g, (_, key, id) => {
        if (!sipCallIds.has(id)) sipCallIds.set(id, `sip-call-${sipCallIds.size + 1}`);
        return `${key}${sipCallIds.get(id)}"`;
      })
      .replace(/(PJSIP\/[A-Za-z0-9-]+?-)[0-9a-f]{8}(?![0-9a-f])/g, "$100000000")
      .replace(/@127\.0\.0\.1:(?!5060\b)\d+/g, "@127.0.0.1:5062")
      .replace(/(themssrc|ssrc)=\d+/g, "$1=0");
  };
  const out = window.map((l) => {
    const { at, ...rest } = l;
    return JSON.parse(normalise(JSON.stringify({ ...rest, t: l.t - t0 })));
  });
  const text = out.map((l) => JSON.stringify(l)).join(",\n    ");
  if (/authorization|password|secret|token/i.test(text)) throw new Error(`${name}: something in the recording looks like a secret`);
  const fixture = `{
  "scenario": ${JSON.stringify(name)},
  "description": ${JSON.stringify(meta.description)},
  "asterisk": ${JSON.stringify(asterisk)},
  "recorded": ${JSON.stringify(lines[start].at.slice(0, 10))},
  "setup": ${JSON.stringify(meta.setup)},
  "lines": [
    ${text}
  ]
}
`;
  writeFileSync(path.join(outDir, `${name}.json`), fixture);
  console.log(`${name}: ${out.length} lines`);
}
