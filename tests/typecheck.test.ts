/**
 * The code is TypeScript strict (tsconfig.json): src/, tests/ and bench/ typecheck. vitest runs
 * TypeScript without checking types, so a type error in a test would otherwise pass unseen.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/content/load.js';

describe('typecheck', () => {
  it('`npm run typecheck` (tsc --noEmit) reports no error', () => {
    const tsc = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', PROJECT_ROOT], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 130_000);
});
