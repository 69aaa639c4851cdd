"""
The local AWS emulator: moto's server (pinned in emulator-requirements.txt),
with one gap closed that s3-harden's tests depend on. moto stores an S3
encryption rule's BlockedEncryptionTypes (the SSE-C block) but leaves it out
of GetBucketEncryption; real S3 returns it, so a plan that blocks SSE-C would
never read back as applied here. The patched reader returns the stored
field, exactly as it was put. Usage is moto_server's: -H HOST -p PORT.
"""

import sys

from moto.s3 import responses
from moto.s3.exceptions import ServerSideEncryptionConfigurationNotFoundError


def get_bucket_encryption(self):
    self.data["Action"] = "GetBucketEncryption"
    encryption = self.backend.get_bucket_encryption(self.bucket_name)
    if not encryption:
        raise ServerSideEncryptionConfigurationNotFoundError(bucket_name=self.bucket_name)
    rule = encryption["Rule"]
    result_rule = {
        "ApplyServerSideEncryptionByDefault": rule["ApplyServerSideEncryptionByDefault"],
        "BucketKeyEnabled": responses.ensure_boolean(rule.get("BucketKeyEnabled")),
    }
    blocked = rule.get("BlockedEncryptionTypes")
    if isinstance(blocked, dict):
        types = blocked.get("EncryptionType") or []
        result_rule["BlockedEncryptionTypes"] = {
            "EncryptionType": types if isinstance(types, list) else [types]
        }
    return self.serialized(
        responses.ActionResult(
            {"ServerSideEncryptionConfiguration": {"Rules": [result_rule]}}
        )
    )


responses.S3Response.get_bucket_encryption = get_bucket_encryption

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
