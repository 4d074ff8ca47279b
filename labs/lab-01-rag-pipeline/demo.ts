/**
 * lab-01 demo: `npx tsx labs/lab-01-rag-pipeline/demo.ts ["your question"] [--mine]`
 *
 * Answers a question over fixtures/rag with hybrid retrieval, a 600-token prompt and a generator.
 * With HF_TOKEN set it uses hosted models through @huggingface/inference (an embedding model and
 * a chat model, override with HF_EMBED_MODEL and HF_CHAT_MODEL); without it, the local hashed
 * embedder and the extractive generator, and it says so. It runs the reference solution when it
 * is present, else (or with --mine) your src/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { solutionView } from '../../runner/lab/solution-view.ts';

const here = new URL('./', import.meta.url);
const useMine = process.argv.includes('--mine') || !existsSync(new URL('solution/src/pipeline.ts', here));
const base = useMine ? './src/' : solutionView(fileURLToPath(here));
type Sol = typeof import('./src/pipeline.ts') & typeof import('./src/embed.ts') & typeof import('./src/prompt.ts') & typeof import('./src/generate.ts');
const lib = Object.assign({}, ...(await Promise.all(['pipeline', 'embed', 'prompt', 'generate'].map((m) => import(`${base}${m}.ts`))))) as Sol;

const question = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'Which grinder has a magnetized dosing cup, and where was it designed?';
const token = process.env.HF_TOKEN;
const read = (name: string) => readFileSync(new URL(`../../fixtures/rag/${name}`, import.meta.url), 'utf8');
const docs = read('corpus.jsonl').trim().split('\n').map((l) => JSON.parse(l));

let embedder: import('./src/embed.ts').Embedder;
let generator: import('./src/generate.ts').Generator;
if (token) {
  const embedModel = process.env.HF_EMBED_MODEL ?? 'sentence-transformers/all-MiniLM-L6-v2';
  const chatModel = process.env.HF_CHAT_MODEL ?? 'meta-llama/Llama-3.1-8B-Instruct';
  embedder = new lib.HfEmbedder({ model: embedModel, accessToken: token, batchSize: 32 });
  generator = new lib.HfGenerator({ model: chatModel, accessToken: token });
  console.log(`mode: online (HF_TOKEN is set): embeddings from ${embedModel}, answers from ${chatModel}`);
} else {
  embedder = new lib.HashEmbedder();
  generator = new lib.ExtractiveGenerator();
  console.log('mode: offline (no HF_TOKEN): local hashed embedder and the extractive generator. Set HF_TOKEN to use hosted models.');
}
console.log(`code: ${useMine ? 'your src/' : 'reference solution'}\n`);

const t0 = performance.now();
const pipeline = await lib.buildPipeline(docs, { embedder });
console.log(`indexed ${docs.length} documents as ${pipeline.chunks.length} chunks in ${(performance.now() - t0).toFixed(0)} ms`);

const hits = await pipeline.searchChunks(question, 'hybrid', 8);
const byId = new Map(pipeline.chunks.map((c) => [c.id, c]));
const ranked = hits.map((h) => byId.get(h.id)!).map((c) => ({ id: c.id, docId: c.docId, text: c.text }));
const prompt = lib.buildPrompt(question, ranked, 600);
console.log(`prompt: ${prompt.tokens} tokens (budget 600), ${prompt.sources.length} sources kept, ${prompt.dropped.length} dropped\n`);

const answer = await generator.generate(prompt);
console.log(`Q: ${question}`);
console.log(`A (${generator.name}): ${answer.text}\n`);
for (const [i, s] of lib.resolveCitations(answer, prompt).entries()) {
  console.log(`  [${answer.citations[i]}] ${s.id}: ${s.text.slice(0, 110).replace(/\s+/g, ' ')}...`);
}
