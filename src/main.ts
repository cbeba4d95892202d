import { createRequire } from 'node:module';

// Checks the Node.js version before loading anything else: start.ts's static imports (node:sqlite among them)
// are resolved before any code runs, and on an older Node would fail with a stack trace instead of a message.
const { nodeVersionProblem } = createRequire(import.meta.url)('../scripts/require-node.cjs') as {
  nodeVersionProblem: (version: string) => string | undefined;
};
const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
await import('./start.ts');
