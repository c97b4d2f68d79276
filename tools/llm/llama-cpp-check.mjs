// SPDX-License-Identifier: MIT
//
// Interop check (by hand; not part of make check, it needs npm): does
// llama.cpp, through node-llama-cpp, load a Tessera checkpoint, tokenize
// text into exactly its bytes and back, and predict what the CPU
// reference predicts?  Documentation/llm.rst has the result.
//
//   mkdir /tmp/lc && cd /tmp/lc && npm i -E node-llama-cpp@3.21.1
//   cp tools/llm/llama-cpp-check.mjs /tmp/lc/ && node /tmp/lc/llama-cpp-check.mjs \
//       CKPT.gguf "The meaning of life is" 40
//   tools/llm/cpu-generate CKPT.gguf --prompt "The meaning of life is" \
//       --temperature 0 --top 5 --tokens 40
//
// Copyright (C) 2026 The Tessera authors
import {getLlama} from "node-llama-cpp";
const [,, path, prompt, n] = process.argv;
const llama = await getLlama({gpu: false, logLevel: "warn"});
const model = await llama.loadModel({modelPath: path});
const texts = ["Hello, world!\n", "  two  spaces\ttab\n%\n", "caf\u00e9 \u2603 \x7f\x01"];
for (const t of texts) {
  const toks = model.tokenize(t);
  const bytes = Buffer.from(t, "utf8");
  const same = toks.length === bytes.length && toks.every((x, i) => x === bytes[i]);
  const back = model.detokenize(toks);
  console.log(JSON.stringify(t), "tokens==bytes:", same, "detokenize==text:", back === t,
              same ? "" : JSON.stringify(Array.from(toks)));
  if (!same || back !== t)
    process.exitCode = 1;
}
const ctx = await model.createContext({contextSize: 64, batchSize: 64});
const seq = ctx.getSequence();
const toks = model.tokenize(prompt);
let out = [];
const it = seq.evaluateWithMetadata(toks, {probabilities: true}, {temperature: 0});
let first = true;
for await (const r of it) {
  if (first) {
    const top = [...r.probabilities.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
    for (const [t, p] of top) console.log("next", t, p.toFixed(6));
    first = false;
  }
  out.push(r.token);
  if (out.length >= Number(n)) break;
}
console.log("greedy:", JSON.stringify(prompt + model.detokenize(out)));
