// Prints the files (argv) that Go's hclwrite.Format (@cdktf/hcl-tools, WebAssembly) would change.
const fs = require("fs");
const { format } = require("@cdktf/hcl-tools");

(async () => {
  const changed = [];
  for (const file of process.argv.slice(2)) {
    const text = fs.readFileSync(file, "utf8");
    const formatted = await format(text);
    if (formatted !== text) changed.push(file);
  }
  process.stdout.write(JSON.stringify(changed));
})().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err));
  process.exit(2);
});
