/**
 * The review screen's lockout guard, in the wizard against the emulator: the
 * bucket's policy already restricts it to a VPC endpoint (written by an
 * earlier run, so the step keeps it), and the operator is not in one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import type { Plan } from '../../src/plan/model/types.js';
import { NO_INTENT, statementsFor } from '../../src/plan/policy/statements.js';
import { App } from '../../src/screens/app.js';
import { ServicesProvider, type WizardServices } from '../../src/screens/services.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients } from '../helpers/fixtures.js';
import { frame, KEY, pastPosture, press, waitFor } from '../helpers/ink.js';

const APPLY = 'Apply 1 change to bucket';
const BLOCKED = '✗ Apply is blocked: a Deny would lock you out. e: exempt your principal;';

describe('the review screen with the lockout guard', () => {
  let dir: string;
  let sessions: AwsSession[];
  let planned: Plan[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-lockout-'));
    sessions = [];
    planned = [];
  });
  afterEach(() => {
    for (const session of sessions) session.close();
  });

  const seeded = async (
    label: string,
    intent: Partial<typeof NO_INTENT> = { vpceIds: ['vpce-0123456789abcdef0'] },
  ) => {
    const bucket = uniqueBucket(label);
    await createBucket(bucket);
    const statements = statementsFor(
      { bucket, region: 'us-east-1', accountId: '123456789012' },
      { ...NO_INTENT, ...intent },
    );
    await rawClients().s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }),
    );
    return bucket;
  };

  const start = (bucket: string) => {
    const services: WizardServices = {
      connect: async () => {
        const session = await connect({ endpoint: emulatorUrl() });
        sessions.push(session);
        return {
          ...session,
          validatePolicies: async (plan: Plan) => {
            planned.push(plan);
            return { checked: true, policies: ['bucket.policy'], findings: [] };
          },
        };
      },
      openJournal: (target) => openJournal(target, join(dir, 'journals')),
      savePlan: (name, text) => {
        const path = join(dir, `${name}.json`);
        writeFileSync(path, text);
        return path;
      },
    };
    return render(
      <ServicesProvider services={services}>
        <App preset="baseline" steps={['bucket-policy']} bucket={bucket} onExit={() => undefined} />
      </ServicesProvider>,
    );
  };

  const toReview = async (app: ReturnType<typeof start>) => {
    await pastPosture(app);
    await waitFor(app, 'step 1 of 1');
    await press(app, KEY.enter);
    await waitFor(app, 'Review the plan');
  };

  it('blocks Enter with the finding; `e` exempts the operator, re-plans, and Enter goes on', async () => {
    const bucket = await seeded('lockout-exempt');
    const app = start(bucket);
    await toReview(app);
    const shown = await waitFor(app, BLOCKED);
    expect(shown).toContain('Lockout check: Deny statements that apply to you');
    expect(shown).toContain('✗ bucket policy S3HardenVpceOnly denies you s3:GetBucketPolicy');
    expect(shown).toContain('e exempt me');
    expect(shown).not.toContain('enter apply…');
    // Enter is heard but goes nowhere: `c` afterwards proves the keys are read.
    await press(app, KEY.enter, 'c');
    await waitFor(app, 'Review: the same plan as AWS CLI commands');
    expect(frame(app)).not.toContain(APPLY);
    await press(app, 'c');
    await waitFor(app, 'Review the plan');

    await press(app, 'e');
    const exempted = await waitFor(app, 'enter apply…');
    expect(exempted).not.toContain('Lockout check');
    await press(app, KEY.enter);
    await waitFor(app, APPLY);
    // The plan that will be applied carries the exemption on the endpoint Deny.
    const last = planned.at(-1);
    const after = JSON.stringify(last?.changes[0]?.after);
    expect(after).toMatch(/"ArnNotLike":\{"aws:PrincipalArn":"arn:aws:(iam|sts)::123456789012:/);
  });

  it('`o` then the bucket name overrides it; a wrong name does not', async () => {
    const bucket = await seeded('lockout-override');
    const app = start(bucket);
    await toReview(app);
    await waitFor(app, BLOCKED);
    await press(app, 'o', ...'wrong', KEY.enter);
    await waitFor(app, BLOCKED);
    await press(app, 'o', ...bucket);
    await waitFor(app, (text) => text.replace(/\n/g, ' ').includes(`(esc: cancel): ${bucket}`));
    await press(app, KEY.enter);
    await waitFor(app, '! Lockout overridden: applying may lock you out.');
    // Enter expands the summary to the diff; Enter there applies.
    await press(app, KEY.enter);
    await waitFor(app, 'n/p next/prev change');
    await press(app, KEY.enter);
    await waitFor(app, APPLY);
  });

  describe('the operator is asked for their own IP and VPC endpoint', () => {
    const ALLOWLIST = { sourceCidrs: ['203.0.113.0/24'] };
    // httpsOnly, minimumTls12, vpceOnly, sourceCidrs, then the IP.
    const toIpField = async (app: ReturnType<typeof start>) => {
      await pastPosture(app);
      await waitFor(app, 'step 1 of 1');
      await press(app, KEY.down, KEY.down, KEY.down, KEY.down);
      await waitFor(app, (text) => /› Your public IP/.test(text));
    };

    it('an IP allowlist with the IP unknown may deny: the review blocks', async () => {
      const app = start(await seeded('lockout-ip-unknown', ALLOWLIST));
      await toReview(app);
      const shown = await waitFor(app, BLOCKED);
      expect(shown).toMatch(/! bucket policy S3HardenIpAllowlist may deny you/);
      expect(shown.replace(/\s+/g, ' ')).toContain(
        'your IP is not known (give "Your public IP" in the bucket-policy step)',
      );
    });

    it('an IP inside the allowlist clears the check; Enter goes on', async () => {
      const app = start(await seeded('lockout-ip-inside', ALLOWLIST));
      await toIpField(app);
      await press(app, ...'203.0.113.7', KEY.enter);
      await waitFor(app, 'Review the plan: summary');
      await press(app, KEY.enter);
      const review = await waitFor(app, 'enter apply…');
      expect(review).not.toContain('Lockout check');
    });

    it('an IP outside the allowlist denies, a malformed one is refused on the form', async () => {
      const app = start(await seeded('lockout-ip-outside', ALLOWLIST));
      await toIpField(app);
      await press(app, ...'198.51.100');
      await waitFor(app, '"198.51.100" is not an IPv4 or IPv6 address');
      await press(app, KEY.enter); // refused: the form stays
      await press(app, ...'.9', KEY.enter);
      const shown = await waitFor(app, BLOCKED);
      expect(shown).toMatch(/✗ bucket policy S3HardenIpAllowlist denies you/);
    });

    it('keeps every key typed faster than the screen redraws', async () => {
      const app = start(await seeded('lockout-ip-fast', ALLOWLIST));
      await toIpField(app);
      // No wait between keys: each handler call must see the one before.
      for (const key of '203.0.113.99') app.stdin.write(key);
      for (let count = 0; count < 2; count++) app.stdin.write('\u007F');
      for (const key of '7') app.stdin.write(key);
      await waitFor(app, '› Your public IP: 203.0.113.7');
    });

    it('the VPC endpoint the operator names clears the endpoint restriction', async () => {
      const app = start(await seeded('lockout-vpce-mine'));
      await pastPosture(app);
      await waitFor(app, 'step 1 of 1');
      await waitFor(app, 'Your VPC endpoint');
      // httpsOnly, minimumTls12, vpceOnly, vpceIds, then theirs.
      await press(app, KEY.down, KEY.down, KEY.down, KEY.down);
      await waitFor(app, (text) => /› Your VPC endpoint/.test(text));
      await press(app, ...'vpce-0123456789abcdef0', KEY.enter);
      await waitFor(app, 'Review the plan: summary');
      await press(app, KEY.enter);
      const review = await waitFor(app, 'enter apply…');
      expect(review).not.toContain('Lockout check');
    });
  });
});
