// Records what CallApi and Asterisk say to each other over ARI, as JSON lines, while passing everything through.
//
//   node Neolia.Tests/CallControl/Recordings/ari-recorder.mjs --listen 127.0.0.1:8089 --target http://127.0.0.1:8088 --out ari.jsonl
//
// It sits where CallApi's CallControl:Asterisks:0:AriUrl points: every HTTP request (ARI REST, /httpstatus, anything) is forwarded
// to --target and the pair is written as {"kind":"rest",...}; the event WebSocket (/ari/events) is carried byte for
// byte in both directions, and each text frame Asterisk sends is written as {"kind":"event","event":{...}}.
// No header is recorded (the Authorization header carries the ARI password), only method, path, query, status and
// bodies. A line {"kind":"mark","name":...} is written by  curl -X POST http://<listen>/__recorder/mark?name=X
// (to split one session into scenarios; normalize.mjs cuts the fixtures at the marks), and {"kind":"note","text":...}
// by /__recorder/note?text=app:answer (what the outside did that ARI does not show: an app's answer, decline or
// open-door). Node 20, no package.
import http from "node:http";
import net from "node:net";
import { createWriteStream } from "node:fs";

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) =>
  arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs, []));
if (!args.listen || !args.target || !args.out) {
  console.error("usage: ari-recorder.mjs --listen HOST:PORT --target http://HOST:PORT --out FILE.jsonl");
  process.exit(2);
}
const [listenHost, listenPort] = args.listen.split(":");
const target = new URL(args.target);
const out = createWriteStream(args.out, { flags: "a" });
const start = Date.now();
const write = (line) => out.write(JSON.stringify({ t: Date.now() - start, at: new Date().toISOString(), ...line }) + "\n");
const parse = (text) => { try { return text.length ? JSON.parse(text) : null; } catch { return text; } };

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://recorder");
  if (url.pathname === "/__recorder/mark" || url.pathname === "/__recorder/note") {
    const text = url.searchParams.get("name") ?? url.searchParams.get("text") ?? "";
    write(url.pathname.endsWith("mark") ? { kind: "mark", name: text } : { kind: "note", text });
    res.writeHead(204).end();
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const sentAt = Date.now();
    const upstream = http.request({
      host: target.hostname, port: target.port, method: req.method, path: req.url,
      headers: { ...req.headers, host: target.host },
    }, (answer) => {
      const back = [];
      answer.on("data", (c) => back.push(c));
      answer.on("end", () => {
        const text = Buffer.concat(back).toString("utf8");
        if (!url.pathname.startsWith("/httpstatus")) {
          write({
            kind: "rest", method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams),
            request: parse(body.toString("utf8")), status: answer.statusCode, response: parse(text), ms: Date.now() - sentAt,
          });
        }
        res.writeHead(answer.statusCode, answer.headers).end(Buffer.concat(back));
      });
    });
    upstream.on("error", (e) => {
      write({ kind: "rest", method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), error: e.message });
      res.writeHead(502).end();
    });
    upstream.end(body);
  });
});

// The event WebSocket: the upgrade request goes on as it came, then bytes are piped both ways and Asterisk's
// frames are decoded on the side (server frames are not masked).
server.on("upgrade", (req, socket, head) => {
  const url = new URL(req.url, "http://recorder");
  const upstream = net.connect(Number(target.port), target.hostname, () => {
    const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${k === "host" ? target.host : v}`);
    upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join("\r\n")}\r\n\r\n`);
    if (head?.length) upstream.write(head);
    socket.pipe(upstream);
  });
  let handshake = Buffer.alloc(0), frames = null, message = [];
  upstream.on("data", (data) => {
    socket.write(data);
    if (frames === null) {
      handshake = Buffer.concat([handshake, data]);
      const end = handshake.indexOf("\r\n\r\n");
      if (end < 0) return;
      const status = Number(handshake.toString("latin1", 9, 12));
      write({ kind: "websocket", path: url.pathname, query: Object.fromEntries(url.searchParams), status });
      frames = handshake.subarray(end + 4);
    } else {
      frames = Buffer.concat([frames, data]);
    }
    for (;;) {
      if (frames.length < 2) return;
      const fin = frames[0] & 0x80, opcode = frames[0] & 0x0f;
      let length = frames[1] & 0x7f, offset = 2;
      if (length === 126) { if (frames.length < 4) return; length = frames.readUInt16BE(2); offset = 4; }
      else if (length === 127) { if (frames.length < 10) return; length = Number(frames.readBigUInt64BE(2)); offset = 10; }
      if (frames[1] & 0x80) offset += 4; // a masked server frame would be a protocol error; skip the key anyway
      if (frames.length < offset + length) return;
      const payload = frames.subarray(offset, offset + length);
      frames = frames.subarray(offset + length);
      if (opcode === 0x1 || opcode === 0x0) {
        message.push(payload);
        if (fin) {
          write({ kind: "event", event: parse(Buffer.concat(message).toString("utf8")) });
          message = [];
        }
      } else if (opcode === 0x8) {
        write({ kind: "websocket-close", code: payload.length >= 2 ? payload.readUInt16BE(0) : null });
      }
    }
  });
  const close = () => { socket.destroy(); upstream.destroy(); };
  upstream.on("error", close); upstream.on("close", close);
  socket.on("error", close); socket.on("close", close);
});

server.listen(Number(listenPort), listenHost, () => console.log(`ari-recorder: ${args.listen} -> ${target.host}, writing ${args.out}`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => { out.end(() => process.exit(0)); });
