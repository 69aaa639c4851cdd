/**
 * Versioning keeps every version of every object, so an overwrite or a delete
 * can be undone; MFA delete additionally requires the root user's MFA code to
 * delete a version or change the versioning state.
 *
 * MFA delete can be turned on only by the root user, with its MFA device, via
 * the API (never the console). For root the step asks for the device serial
 * and the current code and plans the call with the MFA parameter; that change
 * cannot be undone by the tool, and the one-time code never reaches a plan file
 * (serializePlan refuses it) or the journal (which records undo calls only).
 * Anyone else gets the exact command to run as root.
 */

import { controlLabels, controlSpec } from '../plan/audit/controls.js';
import type { Change, Posture, Preset } from '../plan/model/types.js';
import { writeCall } from '../plan/resources/index.js';
import type { VersioningConfiguration } from '../plan/resources/versioning.js';
import type { Field } from './form.js';
import type { Step } from './types.js';

export interface VersioningAnswers {
  /** Suspended on a bucket that never had versioning means "leave it off". */
  readonly status: 'Enabled' | 'Suspended';
  /** Root only: turn MFA delete on with the device below. */
  readonly mfaDelete: boolean;
  readonly mfaSerial: string;
  readonly mfaCode: string;
}

const RESOURCE = 'bucket.versioning';
const TITLE = 'Versioning';
/** The id of this step's change, for steps that need versioning first (Object Lock). */
export const VERSIONING_CHANGE_ID = RESOURCE;

const ROOT_ARN = /^arn:aws[a-z-]*:iam::\d{12}:root$/;
const MFA_ARN = /^arn:aws[a-z-]*:iam::\d{12}:mfa\/[\w+=,.@/-]{1,512}$/;
const HARDWARE_SERIAL = /^[A-Z0-9]{9,64}$/;
const MFA_CODE = /^\d{6}$/;

export const VERSIONS_STAY = 'versions already written stay (and are billed) until deleted';

export function isRootUser(principalArn: string): boolean {
  return ROOT_ARN.test(principalArn);
}

/** The command the root user runs to turn MFA delete on. */
export function mfaDeleteCommand(bucket: string): string {
  return `aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa "SERIAL CODE"`;
}

function current(posture: Posture): VersioningConfiguration | null | undefined {
  return posture.values[RESOURCE];
}

function mfaDeleteOn(value: VersioningConfiguration | null | undefined): boolean {
  return value?.MFADelete === 'Enabled';
}

function describe(value: VersioningConfiguration | null | undefined): string {
  if (value === undefined) return 'unknown';
  if (value === null) return 'never enabled';
  return value.Status === 'Enabled' ? 'enabled' : 'suspended';
}

function locked(posture: Posture): boolean {
  return Boolean(posture.values['bucket.objectLock']);
}

function keep(posture: Posture): VersioningAnswers {
  return {
    status: current(posture)?.Status ?? 'Suspended',
    mfaDelete: false,
    mfaSerial: '',
    mfaCode: '',
  };
}

export const versioningStep: Step<VersioningAnswers> = {
  id: 'versioning',
  title: 'Versioning and MFA delete',
  summary: 'Keeps every version of every object, so overwrites and deletes can be undone.',
  scope: 'bucket',
  controls: controlLabels('versioning', 'mfa-delete'),
  reads: [RESOURCE],
  // With Object Lock on, S3 refuses to suspend versioning: Suspended is not offered.
  optionalReads: ['bucket.objectLock'],
  defaults(posture: Posture, _preset: Preset): VersioningAnswers {
    // Every preset enables versioning (the guide's checklist; worm needs it for
    // Object Lock). MFA delete stays an explicit choice: it needs the root
    // user, a physical device and a one-time code.
    return { ...keep(posture), status: 'Enabled' };
  },
  validate(answers) {
    const problems: string[] = [];
    if (answers.status !== 'Enabled' && answers.status !== 'Suspended') {
      problems.push(
        `Versioning must be Enabled or Suspended, not ${JSON.stringify(answers.status)}`,
      );
    }
    if (answers.mfaDelete) {
      if (answers.status !== 'Enabled') {
        problems.push('MFA delete needs versioning Enabled');
      }
      const serial = answers.mfaSerial.trim();
      if (!serial) {
        problems.push(
          'Enter the MFA device serial: its ARN (arn:aws:iam::<account>:mfa/<name>) or a hardware serial such as GAHT12345678',
        );
      } else if (!MFA_ARN.test(serial) && !HARDWARE_SERIAL.test(serial)) {
        problems.push(
          `The MFA device serial must be an ARN like arn:aws:iam::123456789012:mfa/root-account-mfa-device or a hardware serial like GAHT12345678`,
        );
      }
      if (!MFA_CODE.test(answers.mfaCode.trim())) {
        problems.push('Enter the 6-digit code your MFA device shows now');
      }
    }
    return problems;
  },
  fields(posture, answers) {
    const live = current(posture);
    const fields: Field[] = [];
    if (mfaDeleteOn(live)) {
      fields.push({
        kind: 'note',
        tone: 'info',
        text: `MFA delete is on: versioning can only change with the root user's MFA device, so this step leaves it ${describe(live)}.`,
      });
      return fields;
    }
    fields.push({
      kind: 'choice',
      key: 'status',
      label: 'Versioning',
      help: 'Enabled keeps old versions on overwrite and delete.',
      options: [
        {
          value: 'Enabled',
          label: 'Enabled',
          help: 'Overwrites and deletes keep the old version; expire old ones by lifecycle.',
        },
        ...(locked(posture)
          ? []
          : [
              live
                ? {
                    value: 'Suspended',
                    label: 'Suspended',
                    help: `Stops keeping new versions; ${VERSIONS_STAY}.`,
                  }
                : {
                    value: 'Suspended',
                    label: 'Off (leave as is)',
                    help: 'Overwrites and deletes lose the previous data for good.',
                  },
            ]),
      ],
      now: describe(live),
    });
    if (locked(posture)) {
      fields.push({
        kind: 'note',
        tone: 'info',
        text: 'Object Lock is on for this bucket, so versioning stays Enabled: S3 does not allow suspending it.',
      });
    }
    if (isRootUser(posture.principalArn)) {
      fields.push({
        kind: 'toggle',
        key: 'mfaDelete',
        label: 'MFA delete',
        help: 'Deleting versions or changing versioning then needs the root MFA code.',
        now: 'off',
      });
      if (answers.mfaDelete) {
        fields.push(
          {
            kind: 'text',
            key: 'mfaSerial',
            label: 'MFA device serial',
            help: 'The root user’s MFA device: its ARN, or the serial on a hardware key.',
            placeholder: `arn:aws:iam::${posture.accountId}:mfa/root-account-mfa-device`,
          },
          {
            kind: 'text',
            key: 'mfaCode',
            label: 'MFA code',
            help: 'The 6 digits the device shows now; used once, never saved.',
            placeholder: '123456',
          },
          {
            kind: 'note',
            tone: 'warning',
            text: 'MFA delete is applied only here, not in saved plans, and s3-harden cannot undo it: turning it off needs the root user’s MFA again.',
          },
        );
      }
    } else {
      fields.push({
        kind: 'note',
        tone: 'info',
        text: `MFA delete (CIS ${controlSpec('mfa-delete').cis}) can be turned on only by the root user with its MFA device, never in the console. As root, run: ${mfaDeleteCommand(posture.bucket)}`,
      });
    }
    return fields;
  },
  keep,
  plan(posture, answers, planned = posture.values): Change[] {
    const before = current(posture);
    if (before === undefined) return [];
    // With MFA delete on, any versioning change needs the root user's MFA: leave it.
    if (mfaDeleteOn(before)) return [];
    const withMfa = answers.mfaDelete && isRootUser(posture.principalArn);
    // Object Lock forbids suspending; the wizard does not offer it, and a plan never asks S3 to.
    const status = locked(posture) && before?.Status === 'Enabled' ? 'Enabled' : answers.status;
    // A bucket that never had versioning already behaves as "off".
    if (!withMfa && (before?.Status ?? 'Suspended') === status) return [];
    const after: VersioningConfiguration = {
      ...(before ?? {}),
      Status: status,
      ...(withMfa ? { MFADelete: 'Enabled' as const } : {}),
    };
    const warnings: string[] = [];
    // Object Lock turned on by this plan (it goes last) pins versioning for good.
    const pinned =
      !locked(posture) && planned['bucket.objectLock']?.ObjectLockEnabled === 'Enabled';
    if (status === 'Enabled' && before?.Status !== 'Enabled') {
      warnings.push(
        pinned
          ? 'permanent once Object Lock is on (this plan turns it on, last): versioning can never be suspended again; until then, undo suspends it'
          : `undo suspends versioning: ${VERSIONS_STAY}`,
      );
    }
    if (status === 'Suspended') {
      warnings.push(`suspends versioning, which weakens protection; ${VERSIONS_STAY}`);
    }
    const call = writeCall(RESOURCE, posture, after);
    if (withMfa) {
      warnings.push(
        'turns MFA delete on: s3-harden cannot undo it (turning it off needs the root user’s MFA again)',
      );
    }
    return [
      {
        id: VERSIONING_CHANGE_ID,
        step: 'versioning',
        title: withMfa ? `${TITLE} and MFA delete` : TITLE,
        resource: RESOURCE,
        action: before === null ? 'create' : 'update',
        call: withMfa
          ? {
              ...call,
              input: {
                ...call.input,
                MFA: `${answers.mfaSerial.trim()} ${answers.mfaCode.trim()}`,
              },
            }
          : call,
        before,
        after,
        undo: withMfa ? null : writeCall(RESOURCE, posture, before),
        dependsOn: [],
        warnings,
      },
    ];
  },
};
