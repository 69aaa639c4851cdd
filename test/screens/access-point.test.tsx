/**
 * The access-point step in the wizard, against the emulator: off by default,
 * turned on it asks for a VPC (refusing a malformed one) and a policy, and the
 * review shows the access point and its whole policy before it is applied.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import { accessPointName } from '../../src/plan/resources/access-point.js';
import { App } from '../../src/screens/app.js';
import { ServicesProvider, type WizardServices } from '../../src/screens/services.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients } from '../helpers/fixtures.js';
import { frame, KEY, pastPosture, press, waitFor } from '../helpers/ink.js';

const ROLE = 'arn:aws:iam::111122223333:role/reader';

describe('the access-point step in the wizard', () => {
  let dir: string;
  let sessions: AwsSession[];

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

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-ap-screen-'));
    sessions = [];
  });
  afterEach(() => {
    for (const session of sessions) session.close();
  });

  it('is off by default; on, it validates the VPC, reviews the policy and applies', async () => {
    const bucket = uniqueBucket('ap-screen');
    const name = accessPointName(bucket);
    await createBucket(bucket);
    const { s3 } = rawClients();
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'S3HardenReadOnly1',
              Effect: 'Allow',
              Principal: { AWS: ROLE },
              Action: ['s3:GetObject', 's3:ListBucket'],
              Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
            },
          ],
        }),
      }),
    );
    s3.destroy();
    const app = render(
      <ServicesProvider services={services()}>
        <App preset="baseline" steps={['access-point']} bucket={bucket} onExit={() => {}} />
      </ServicesProvider>,
    );

    await pastPosture(app);
    const first = await waitFor(app, 'step 1 of 1');
    expect(first).toContain('Satisfies S3 Security guide: S3 Access Points, FSBP S3.19');
    expect(first).toContain('› [ ] Create an access point  now off');
    expect(first).not.toContain('Restrict to VPC');

    await press(app, KEY.space);
    await waitFor(app, '› [x] Create an access point');
    await press(app, KEY.down);
    await waitFor(app, '› Restrict to VPC:');
    await press(app, ...'vpc-1'.split(''));
    await waitFor(app, '✗ vpc-1 is not a VPC ID (vpc- followed by 8 or 17 hex digits');
    // Enter waits until the answer is valid.
    await press(app, KEY.enter);
    expect(frame(app)).toContain('step 1 of 1');
    await press(app, ...'234567890abcdef0'.split(''));
    await waitFor(app, (text) => text.includes('vpc-1234567890abcdef0') && !text.includes('✗'));
    await press(app, KEY.down);
    const policy = await waitFor(app, '› Access point policy: ‹ grants of the bucket policy ›');
    expect(policy).toContain('Grants 1 read-only role, as the bucket policy does.');
    // Nothing to compare with yet: no "now" for a policy of an access point that does not exist.
    expect(policy.split('\n').find((line) => line.includes('Access point policy:'))).not.toContain(
      'now',
    );
    await press(app, KEY.enter);

    const review = await waitFor(app, 'Plan: 2 to add, 0 to change, 0 to remove (0 irreversible).');
    expect(review).toContain('+ Access point');
    await press(app, 'd');
    await waitFor(app, '+ Access point  (s3control:CreateAccessPoint)');
    await press(app, KEY.enter);
    await waitFor(app, 'Apply 2 changes to bucket');
    await press(app, 'y');
    const result = await waitFor(app, 'Apply complete: 2 changes applied and verified.');
    expect(result).toContain('✓ Access point policy: applied, verified');

    const posture = await sessions[0]?.observe(bucket, ['bucket.accessPoint']);
    expect(posture?.values['bucket.accessPoint']).toEqual({
      Name: name,
      VpcId: 'vpc-1234567890abcdef0',
    });
  });
});
