/** Ownership signs from a bucket's tags: a CloudFormation stack, Terraform, or none. */
import { describe, expect, it } from 'vitest';
import { ownershipSign } from '../../src/plan/exceptions/ownership.js';

describe('ownershipSign', () => {
  it('names the CloudFormation stack and says to change the template', () => {
    expect(ownershipSign('b', { 'aws:cloudformation:stack-name': 'web-prod' })).toBe(
      'b belongs to CloudFormation stack web-prod (tag aws:cloudformation:stack-name): a stack update puts back what the template says; make these changes in the template too.',
    );
  });

  it.each([
    [{ ManagedBy: 'Terraform' }],
    [{ 'managed-by': 'opentofu' }],
    [{ terraform: 'true' }],
    [{ Provisioner: 'terraform-cloud' }],
  ])('says Terraform reverts the changes for %j', (tags) => {
    expect(ownershipSign('b', tags)).toMatch(
      /^b looks managed by Terraform \(tag .+\): the next terraform apply reverts these changes unless the configuration adopts them — plan --format terraform writes them as HCL\.$/,
    );
  });

  it('says nothing for other tags', () => {
    expect(ownershipSign('b', { team: 'web', ManagedBy: 'platform-team', tool: 'pulumi' })).toBe(
      undefined,
    );
  });
});
