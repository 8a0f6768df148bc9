// Reads one JSON-encoded HCL text per line on stdin; answers one line of JSON: Go's HCL parser's view of it.
const readline = require("readline");
const { parse } = require("@cdktf/hcl2json");

const rl = readline.createInterface({ input: process.stdin });
const queue = [];
let busy = false;

async function drain() {
  if (busy) return;
  busy = true;
  while (queue.length) {
    const text = JSON.parse(queue.shift());
    try {
      const result = await parse("input.tf", text);
      process.stdout.write(JSON.stringify({ ok: result }) + "\n");
    } catch (err) {
      process.stdout.write(JSON.stringify({ error: String(err) }) + "\n");
    }
  }
  busy = false;
}

rl.on("line", (line) => {
  queue.push(line);
  drain();
});
