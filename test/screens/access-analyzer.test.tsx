/**
 * The Access Analyzer step in the wizard. S3 and STS are the emulator;
 * Access Analyzer, which it lacks, is aws-sdk-client-mock behind the real
 * session and readers, except in the last test, where the real emulator
 * shows the step stepping aside.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessAnalyzerClient,
  CreateAnalyzerCommand,
  DeleteAnalyzerCommand,
  GetFindingV2Command,
  ListAnalyzersCommand,
  ListFindingsV2Command,
} from '@aws-sdk/client-accessanalyzer';
import { mockClient } from 'aws-sdk-client-mock';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import { App } from '../../src/screens/app.js';
import { ServicesProvider, type WizardServices } from '../../src/screens/services.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { ACCOUNT, createBucket } from '../helpers/fixtures.js';
import { frame, KEY, pastPosture, press, waitFor } from '../helpers/ink.js';

const RIGHT = '\u001B[C';
/** A frame as one line of text: notes wider than the screen wrap. */
const flat = (text: string) => text.replace(/\s+/g, ' ');
const ARN = `arn:aws:access-analyzer:us-east-1:${ACCOUNT}:analyzer/corp`;
const NOW = new Date('2026-11-01T00:00:00Z');

/** Six findings: two public (policy, ACL), one through the access point, three cross-account. */
const DETAILS: Record<string, object> = {
  'f-1': {
    principal: { AWS: '*' },
    action: ['s3:GetObject'],
    isPublic: true,
    sources: [{ type: 'POLICY' }],
  },
  'f-2': {
    principal: {
      CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
    },
    action: ['s3:GetObject'],
    isPublic: true,
    sources: [{ type: 'BUCKET_ACL' }],
  },
  'f-3': {
    principal: { AWS: 'arn:aws:iam::111122223333:role/reader' },
    action: ['s3:GetObject', 's3:ListBucket'],
    condition: { 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f60718' },
    sources: [{ type: 'POLICY' }],
  },
  'f-4': {
    principal: { AWS: '444455556666' },
    action: ['s3:GetObject'],
    sources: [
      {
        type: 'S3_ACCESS_POINT',
        detail: { accessPointArn: `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/shared` },
      },
    ],
  },
  'f-5': {
    principal: { AWS: '555566667777' },
    action: ['s3:PutObject'],
    sources: [{ type: 'POLICY' }],
  },
  'f-6': {
    principal: { AWS: '666677778888' },
    action: ['s3:ListBucket'],
    sources: [{ type: 'POLICY' }],
  },
};

describe('the Access Analyzer step in the wizard', () => {
  let dir: string;
  let sessions: AwsSession[];
  let restore: (() => void) | undefined;

  const services = (): WizardServices => ({
    connect: async () => {
      const session = await connect({ endpoint: emulatorUrl() });
      sessions.push(session);
      return session;
    },
    openJournal: (target) => openJournal(target, join(dir, 'journals')),
    savePlan: () => {
      throw new Error('not saved in this test');
    },
  });

  const wizard = (bucket: string, preset: 'baseline' | 'strict') =>
    render(
      <ServicesProvider services={services()}>
        <App preset={preset} steps={['access-analyzer']} bucket={bucket} onExit={() => {}} />
      </ServicesProvider>,
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-aa-screen-'));
    sessions = [];
  });
  afterEach(() => {
    restore?.();
    restore = undefined;
    for (const session of sessions) session.close();
  });

  it('shows the findings as a table in 80 columns, pages through them, and changes nothing', async () => {
    const mocked = mockClient(AccessAnalyzerClient);
    restore = () => mocked.restore();
    mocked.on(ListAnalyzersCommand).resolves({
      analyzers: [{ arn: ARN, name: 'corp', type: 'ACCOUNT', status: 'ACTIVE', createdAt: NOW }],
    });
    mocked.on(ListFindingsV2Command).resolves({
      findings: Object.keys(DETAILS).map((id) => ({
        id,
        resourceType: 'AWS::S3::Bucket',
        resourceOwnerAccount: ACCOUNT,
        status: 'ACTIVE',
        analyzedAt: NOW,
        createdAt: NOW,
        updatedAt: NOW,
      })),
    });
    mocked.on(GetFindingV2Command).callsFake(async (input: { id: string }) => ({
      id: input.id,
      findingDetails: [{ externalAccessDetails: { condition: {}, ...DETAILS[input.id] } }],
    }));
    const bucket = uniqueBucket('aa-screen');
    await createBucket(bucket);
    const app = wizard(bucket, 'baseline');

    await pastPosture(app);
    const first = await waitFor(app, 'step 1 of 1');
    expect(first).toContain('IAM Access Analyzer review');
    expect(first).toContain(
      'Satisfies S3 Security guide: Access Analyzer findings reviewed, Security Hub IAM.28',
    );
    expect(first).toContain('! Analyzer corp (account, us-east-1): 6 active findings, 2 public.');
    expect(first).toContain('› Findings: ‹ 1–4 of 6 ›');
    expect(first).toContain(' #  Principal                  Public Actions            Conditions');
    expect(first).toContain(' 1  * (anyone)                 yes    s3:GetObject       none');
    expect(first).toContain('    ↳ #1 fix: Block Public Access, Bucket policy (via bucket policy)');
    expect(first).toContain(
      '    ↳ #2 fix: Block Public Access, Object Ownership (ACLs) (via bucket ACL)',
    );
    expect(first).toContain(
      ' 3  111122223333:role/reader   no     s3:GetObject +1    aws:SourceVpce=vpce-…',
    );
    expect(first).toContain('    ↳ #4 fix: Access point (via access point shared)');
    expect(first).not.toContain('#5');
    // The whole table fits 80 columns (the frame is wider; the table is not).
    for (const line of first.split('\n').filter((text) => /^ {1,4}(\d|#|↳)/.test(text))) {
      expect([...line.trimEnd()].length).toBeLessThanOrEqual(80);
    }

    await press(app, RIGHT);
    const second = await waitFor(app, '› Findings: ‹ 5–6 of 6 ›');
    expect(second).toContain(' 5  account 555566667777       no     s3:PutObject       none');
    expect(second).toContain('    ↳ #6 fix: Bucket policy (via bucket policy)');
    expect(second).not.toContain('#1 fix');

    // Reviewing findings changes nothing.
    await press(app, KEY.enter);
    await waitFor(app, 'No changes. The bucket already matches.');
    expect(mocked.commandCalls(CreateAnalyzerCommand)).toHaveLength(0);
    expect(frame(app)).not.toContain('accessanalyzer:');
  });

  it('strict offers an account analyzer where there is none, says findings come later, and applies it', async () => {
    const mocked = mockClient(AccessAnalyzerClient);
    restore = () => mocked.restore();
    let analyzers: object[] = [];
    mocked.on(ListAnalyzersCommand).callsFake(async () => ({ analyzers }));
    mocked.on(CreateAnalyzerCommand).callsFake(async (input: { analyzerName: string }) => {
      const arn = `arn:aws:access-analyzer:us-east-1:${ACCOUNT}:analyzer/${input.analyzerName}`;
      analyzers = [
        { arn, name: input.analyzerName, type: 'ACCOUNT', status: 'CREATING', createdAt: NOW },
      ];
      return { arn };
    });
    mocked.on(DeleteAnalyzerCommand).resolves({});
    const bucket = uniqueBucket('aa-screen-new');
    await createBucket(bucket);
    const app = wizard(bucket, 'strict');

    await pastPosture(app);
    const step = await waitFor(app, 'step 1 of 1');
    expect(step).toContain('› [x] Create an account analyzer  now none');
    expect(step).toContain(
      's3-harden-account in us-east-1: finds who outside the account can reach the bucket.',
    );
    // Notes longer than the screen wrap: compare them as flowing text.
    expect(flat(step)).toContain(
      'A new analyzer has no findings yet: they appear after it has scanned the account; run s3-harden again to review them.',
    );
    await press(app, KEY.space);
    await waitFor(app, '! No external-access analyzer in us-east-1');
    await press(app, KEY.space);
    await waitFor(app, 'A new analyzer has no findings yet');
    await press(app, KEY.enter);

    const review = await waitFor(app, 'Plan: 1 to add, 0 to change, 0 to remove (0 irreversible).');
    expect(review).toContain('› + IAM Access Analyzer (account analyzer)');
    await press(app, 'd');
    await waitFor(app, '+ IAM Access Analyzer (account analyzer)  (accessanalyzer:CreateAnalyzer)');
    await press(app, KEY.enter);
    await waitFor(app, 'Apply 1 change to bucket');
    await press(app, 'y');
    await waitFor(app, 'Apply complete: 1 change applied and verified.');
    expect(mocked.commandCalls(CreateAnalyzerCommand).map((call) => call.args[0].input)).toEqual([
      { analyzerName: 's3-harden-account', type: 'ACCOUNT' },
    ]);
  });

  it('at the emulator, which has no Access Analyzer, it says so and steps aside', async () => {
    const bucket = uniqueBucket('aa-screen-moto');
    await createBucket(bucket);
    const app = wizard(bucket, 'strict');
    await pastPosture(app);
    const step = await waitFor(app, 'step 1 of 1');
    expect(flat(step)).toContain('Skipped: IAM Access Analyzer is not available at this endpoint');
    expect(step).not.toContain('Create an account analyzer');
    await press(app, KEY.enter);
    const review = await waitFor(app, 'No changes. The bucket already matches.');
    // The review (and `plan`) say which step was skipped and why: folded into one line, `i` unfolds it.
    expect(flat(review)).toContain('Skipped: IAM Access Analyzer review (i: why)');
    await press(app, 'i');
    expect(flat(await waitFor(app, 'i: hide why'))).toContain(
      'Skipped IAM Access Analyzer review: IAM Access Analyzer is not available at this endpoint',
    );
  });
});
