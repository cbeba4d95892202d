import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const { minimum, nodeVersionProblem } = createRequire(import.meta.url)('../../scripts/require-node.cjs') as {
  minimum: number;
  nodeVersionProblem: (version: string) => string | undefined;
};

describe('the Node.js version check', () => {
  it('lets Node.js 24 and newer through', () => {
    expect(minimum).toBe(24);
    for (const version of ['24.0.0', '24.22.3', '25.1.0', '26.0.0-pre', '100.0.0'])
      expect(nodeVersionProblem(version), version).toBeUndefined();
  });

  it('stops an older Node.js with one line that says what is needed and how to get it', () => {
    expect(nodeVersionProblem('20.20.2')).toBe(
      'planbot needs Node.js 24 or newer (this is 20.20.2): install it from https://nodejs.org ' +
        'or with your version manager (nvm install 24), then run npm ci again.',
    );
    for (const version of ['23.11.1', '22.13.0', '18.20.8', '16.0.0', '0.12.18']) {
      const problem = nodeVersionProblem(version);
      expect(problem, version).toContain(`(this is ${version})`);
      expect(problem, version).not.toContain('\n');
    }
  });

  it('stops a version it cannot read rather than letting it through', () => {
    for (const version of ['', 'v24.1.0', 'unknown']) expect(nodeVersionProblem(version), version).toBeDefined();
  });
});
