// Plays a resident's phone against the running stack: signs in through the gateway, opens the app's
// WebSocket and prints every message (hello, incoming_call, call_updated).
//   node scripts/listen.mjs alice@demo.neolia.test [password]   (Node 20: node --experimental-websocket ...)
//   The password defaults to the demo accounts' one.
import { readFileSync } from "node:fs";

const email = process.argv[2] ?? "alice@demo.neolia.test";
const stack = JSON.parse(readFileSync(new URL("../.devstack/stack.json", import.meta.url)));
if (typeof WebSocket === "undefined") {
  console.error("This Node has no WebSocket client: run it as  node --experimental-websocket scripts/listen.mjs");
  process.exit(1);
}

const login = await fetch(`${stack.gateway}/api/auth/login`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ email, password: process.argv[3] ?? stack.demoPassword }),
});
if (!login.ok) {
  console.error(`Sign-in failed (${login.status}): ${await login.text()}`);
  process.exit(1);
}
const { accessToken } = await login.json();
const socket = new WebSocket(`${stack.gateway.replace(/^http/, "ws")}/ws?access_token=${encodeURIComponent(accessToken)}`);
socket.onopen = () => console.log(`${email} is listening. Ring with: scripts/ring-door.sh 101`);
socket.onmessage = (event) => console.log(new Date().toISOString(), event.data);
socket.onclose = (event) => { console.log(`closed (${event.code})`); process.exit(0); };
