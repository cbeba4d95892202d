'use strict';
// planbot needs Node.js 24 (node:sqlite, TypeScript type stripping). This file stops `npm ci`/`npm install`
// (preinstall), `npm start` (prestart) and `node dist/main.js` (src/main.ts loads it first) on an older Node
// with one line, instead of npm's engine warning or a stack trace from an import that cannot resolve.
// CommonJS, no dependencies and no recent syntax, so that it runs on whatever node is installed.

const minimum = 24;

/** The line to print when Node.js `version` (as in process.versions.node) is too old for planbot; else undefined. */
function nodeVersionProblem(version) {
  const major = Number(String(version).split('.')[0]);
  if (major >= minimum) return undefined;
  return (
    `planbot needs Node.js ${minimum} or newer (this is ${version}): install it from https://nodejs.org ` +
    `or with your version manager (nvm install ${minimum}), then run npm ci again.`
  );
}

module.exports = { minimum, nodeVersionProblem };

if (require.main === module) {
  const problem = nodeVersionProblem(process.versions.node);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exitCode = 1;
  }
}
