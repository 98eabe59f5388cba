// Tokenise texts with VS Code's TextMate engine (vscode-textmate on vscode-oniguruma), for
// tests/test_textmate.py. Reads JSON on standard input:
//   {"grammar": PATH, "configuration": PATH, "texts": {NAME: TEXT, ...}}
// and prints, for each text, every line's tokens ({start, end, scopes}) and the words that the
// language configuration's wordPattern finds on the line and whether its indentation rules match
// the line, as VS Code's JavaScript regular expressions see them.
"use strict";
const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

async function main() {
  const request = JSON.parse(fs.readFileSync(0, "utf-8"));
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(request.grammar, "utf-8"), request.grammar),
  });
  const grammar = await registry.loadGrammar("source.qof");
  if (grammar === null) throw new Error("the grammar did not load");
  const configuration = JSON.parse(fs.readFileSync(request.configuration, "utf-8"));
  const word = new RegExp(configuration.wordPattern, "g");
  const increase = new RegExp(configuration.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(configuration.indentationRules.decreaseIndentPattern);
  const out = {};
  for (const [name, text] of Object.entries(request.texts)) {
    let state = vsctm.INITIAL;
    const lines = [];
    for (const line of text.split(/\r\n|\r|\n/)) {
      const result = grammar.tokenizeLine(line, state);
      state = result.ruleStack;
      lines.push({
        tokens: result.tokens.map((t) => ({ start: t.startIndex, end: Math.min(t.endIndex, line.length), scopes: t.scopes })),
        words: Array.from(line.matchAll(word), (m) => ({ start: m.index, text: m[0] })),
        indents: increase.test(line),
        outdents: decrease.test(line),
      });
    }
    out[name] = lines;
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + "\n");
  process.exit(1);
});
