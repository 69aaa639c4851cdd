/**
 * Signs that a bucket is owned by infrastructure as code, from its tags: a
 * CloudFormation stack tags what it creates (`aws:cloudformation:stack-name`),
 * and Terraform configurations commonly tag theirs (`ManagedBy = terraform`,
 * `terraform = true`). A change s3-harden makes there is reverted by the next
 * stack update or `terraform apply` unless the owner adopts it: the plan says
 * so, and how. Pure.
 */
const STACK = 'aws:cloudformation:stack-name';
const TERRAFORM_KEYS = /^(managed[-_ ]?by|provisioner|iac|tool)$/i;

export function ownershipSign(
  bucket: string,
  tags: Readonly<Record<string, string>>,
): string | undefined {
  const stack = Object.entries(tags).find(([key]) => key.toLowerCase() === STACK)?.[1];
  if (stack) {
    return `${bucket} belongs to CloudFormation stack ${stack} (tag ${STACK}): a stack update puts back what the template says; make these changes in the template too.`;
  }
  const terraform = Object.entries(tags).find(
    ([key, value]) =>
      key.toLowerCase() === 'terraform' ||
      (TERRAFORM_KEYS.test(key) && /terraform|opentofu/i.test(value)),
  );
  if (terraform) {
    return `${bucket} looks managed by Terraform (tag ${terraform[0]}=${terraform[1]}): the next terraform apply reverts these changes unless the configuration adopts them — plan --format terraform writes them as HCL.`;
  }
  return undefined;
}
