/**
 * The bucket lock (src/plan/apply/lock.ts): one holder at a time, named in
 * the refusal; a dead holder's lock taken over; a live other run's lock
 * hides its open journal from the unfinished-journal check.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findUnfinishedJournals } from '../../src/plan/apply/journal-scan.js';
import { acquireLock, LockError, otherHolder, refuseWhileHeld } from '../../src/plan/apply/lock.js';

const target = { accountId: '123456789012', bucket: 'lock-test' };

describe('the bucket lock', () => {
  it('refuses a second holder, naming the first; free again once released', () => {
    const dir = mkdtempSync(join(tmpdir(), 's3-harden-lock-'));
    const held = acquireLock(target, 'apply', dir);
    expect(() => acquireLock(target, 'rollback', dir)).toThrow(LockError);
    expect(() => acquireLock(target, 'rollback', dir)).toThrow(
      new RegExp(`another s3-harden \\(apply, pid ${process.pid}`),
    );
    held.release();
    acquireLock(target, 'rollback', dir).release();
    // Only the lock itself was ever in the directory: no drafts left behind.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuseWhileHeld: refuses while another live run holds it, not a dead one', () => {
    const dir = mkdtempSync(join(tmpdir(), 's3-harden-lock-'));
    const path = join(dir, `${target.accountId}-${target.bucket}.lock`);
    // A live process that is not this one: this test's parent (the vitest worker's parent).
    writeFileSync(
      path,
      JSON.stringify({
        pid: process.ppid,
        host: hostname(),
        command: 'rollback',
        startedAt: 'now',
      }),
    );
    expect(() => refuseWhileHeld(target, dir)).toThrow(/another s3-harden \(rollback, pid \d+/);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    writeFileSync(
      path,
      JSON.stringify({ pid: dead, host: hostname(), command: 'rollback', startedAt: 'then' }),
    );
    expect(() => refuseWhileHeld(target, dir)).not.toThrow();
  });

  it('takes over the lock of a process that no longer runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 's3-harden-lock-'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    writeFileSync(
      join(dir, `${target.accountId}-${target.bucket}.lock`),
      JSON.stringify({ pid: dead, host: hostname(), command: 'apply', startedAt: 'then' }),
    );
    expect(otherHolder(target, dir)).toBeNull();
    const held = acquireLock(target, 'apply', dir);
    held.release();
  });

  it("another live run's open journal is in progress, not unfinished", () => {
    const state = mkdtempSync(join(tmpdir(), 's3-harden-lock-'));
    const journals = join(state, 'journals');
    mkdirSync(journals);
    writeFileSync(
      join(journals, 'a.jsonl'),
      `${JSON.stringify({ type: 'begin', target, changes: 1, tool: 's3-harden' })}\n`,
    );
    const previous = process.env.S3_HARDEN_STATE_DIR;
    process.env.S3_HARDEN_STATE_DIR = state;
    try {
      // Unheld: the journal is unfinished (a crash).
      expect(findUnfinishedJournals(target, journals)).toHaveLength(1);
      // Held by a live process of this host (the parent of this worker): in progress.
      mkdirSync(join(state, 'locks'), { recursive: true });
      writeFileSync(
        join(state, 'locks', `${target.accountId}-${target.bucket}.lock`),
        JSON.stringify({ pid: process.ppid, host: hostname(), command: 'apply', startedAt: 'now' }),
      );
      expect(otherHolder(target)?.pid).toBe(process.ppid);
      expect(findUnfinishedJournals(target, journals)).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.S3_HARDEN_STATE_DIR;
      else process.env.S3_HARDEN_STATE_DIR = previous;
    }
  });
});
