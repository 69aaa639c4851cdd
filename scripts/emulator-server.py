"""
The local AWS emulator: moto's server (pinned in emulator-requirements.txt),
with the gaps closed that s3-harden's tests depend on:

- moto stores an S3 encryption rule's BlockedEncryptionTypes (the SSE-C
  block) but leaves it out of GetBucketEncryption; real S3 returns it, so a
  plan that blocks SSE-C would never read back as applied here. The patched
  reader returns the stored field, exactly as it was put.
- moto rebuilds GetBucketLifecycleConfiguration from its own model, which
  drops fields real S3 returns (NoncurrentVersionExpiration's
  NewerNoncurrentVersions, size filters, And filters' tags…). The patched
  reader returns the rules exactly as they were put, after moto's own
  validation accepted them.
- moto rebuilds GetBucketReplication's rules with a fixed filter and drops
  SourceSelectionCriteria (whether SSE-KMS objects replicate) and the rest
  of what was put; the patched reader returns the rules as stored.
- moto's PutBucketLogging check of the target's policy crashes (HTTP 500) on
  a statement whose Principal is the string "*" (an HTTPS-only Deny) before
  the log delivery grant, as a log bucket shared by several sources has.
  The patched check skips such statements, as S3 does.
- moto's ListBuckets cuts the list at MaxBuckets and says nothing of the
  rest; real S3 returns a ContinuationToken for the next page (the bench's
  10,000-bucket fleet needs it). The patched listing pages by name, as S3
  does, with the token the continuation-token parameter sends back.
- moto's ListBuckets leaves out each bucket's BucketRegion; real S3 returns
  it whenever the request has at least one valid parameter (max-buckets,
  continuation-token, prefix, bucket-region), and s3-harden, which always
  sends max-buckets, reads each listed bucket in that region without a
  HeadBucket first. The patched listing says it on the same condition.
- moto's ListAliases gives each predefined AWS managed alias (alias/aws/s3…)
  a TargetKeyId whose key does not exist. Real KMS lists a predefined alias
  that AWS has not associated with a key yet without TargetKeyId (the
  ListAliases reference): the patched listing leaves it out the same way, so
  describing "the key of alias/aws/s3" is not a round trip to a key that is
  not there.
- moto's GetEventSelectors finds only the region's own trails; real
  CloudTrail answers a shadow trail (a multi-Region trail seen from another
  region) by its ARN, as GetTrailStatus does in moto too. The patched
  reader looks it up the same way.

Usage is moto_server's: -H HOST -p PORT.
"""

import json
import sys

import xmltodict
from moto.cloudtrail import models as cloudtrail_models
from moto.kms import responses as kms_responses
from moto.kms.utils import RESERVED_ALIASE_TARGET_KEY_IDS
from moto.s3 import models, responses
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

_put_bucket_lifecycle = models.S3Backend.put_bucket_lifecycle
_get_bucket_lifecycle = responses.S3Response.get_bucket_lifecycle


def put_bucket_lifecycle(self, bucket_name, rules):
    _put_bucket_lifecycle(self, bucket_name, rules)
    self.get_bucket(bucket_name).s3_harden_rules = rules


def get_bucket_lifecycle(self):
    bucket = self.backend.get_bucket(self.bucket_name)
    rules = getattr(bucket, "s3_harden_rules", None)
    if not bucket.rules or rules is None:
        return _get_bucket_lifecycle(self)
    self.data["Action"] = "GetBucketLifecycleConfiguration"
    body = xmltodict.unparse(
        {
            "LifecycleConfiguration": {
                "@xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "Rule": rules,
            }
        }
    )
    return 200, {"Content-Type": "application/xml"}, body


models.S3Backend.put_bucket_lifecycle = put_bucket_lifecycle


def get_bucket_replication(self):
    replication = self.backend.get_bucket_replication(self.bucket_name)
    if not replication:
        return _get_bucket_replication(self)
    self.data["Action"] = "GetBucketReplication"
    body = xmltodict.unparse(
        {
            "ReplicationConfiguration": {
                "@xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "Role": replication["Role"],
                "Rule": replication["Rule"],
            }
        }
    )
    return 200, {"Content-Type": "application/xml"}, body


_get_bucket_replication = responses.S3Response.get_bucket_replication
responses.S3Response.get_bucket_replication = get_bucket_replication

_log_permissions_enabled_policy = models.FakeBucket._log_permissions_enabled_policy


def log_permissions_enabled_policy(target_bucket, target_prefix):
    policy = target_bucket.policy
    if not policy:
        return False
    document = json.loads(policy.decode())
    grants = [
        statement
        for statement in document.get("Statement", [])
        if isinstance(statement.get("Principal"), dict)
    ]
    if not grants:
        return False
    target_bucket.policy = json.dumps({**document, "Statement": grants}).encode()
    try:
        return _log_permissions_enabled_policy(target_bucket, target_prefix)
    finally:
        target_bucket.policy = policy


models.FakeBucket._log_permissions_enabled_policy = staticmethod(log_permissions_enabled_policy)
responses.S3Response.get_bucket_lifecycle = get_bucket_lifecycle

def all_buckets(self):
    self.data["Action"] = "ListAllMyBuckets"
    self._authenticate_and_authorize_s3_action()
    max_buckets = self._get_param("max-buckets")
    token = self._get_param("continuation-token")
    listed = sorted(
        self.backend.list_buckets(
            prefix=self._get_param("prefix"),
            bucket_region=self._get_param("bucket-region"),
            max_buckets=None,
        ),
        key=lambda bucket: bucket.name,
    )
    if token:
        listed = [bucket for bucket in listed if bucket.name > token]
    page = listed[: int(max_buckets)] if max_buckets else listed
    # S3 says each bucket's region only to a request with a parameter.
    with_region = any(
        self._get_param(name) is not None
        for name in ("max-buckets", "continuation-token", "prefix", "bucket-region")
    )
    result = {
        "Owner": {"ID": "bcaf1ffd86f41161ca5fb16fd081034f", "DisplayName": "webfile"},
        "Buckets": [
            {
                "Name": bucket.name,
                "CreationDate": bucket.creation_date_ISO8601,
                **({"BucketRegion": bucket.region_name} if with_region else {}),
            }
            for bucket in page
        ],
    }
    if len(page) < len(listed):
        result["ContinuationToken"] = page[-1].name
    self.data["Action"] = "ListBuckets"
    return self.serialized(responses.ActionResult(result))


responses.S3Response.all_buckets = all_buckets

_list_aliases = kms_responses.KmsResponse.list_aliases


def list_aliases(self):
    listed = json.loads(_list_aliases(self))
    for alias in listed.get("Aliases", []):
        predefined = alias.get("AliasName") in RESERVED_ALIASE_TARGET_KEY_IDS
        if predefined and alias.get("TargetKeyId") not in self.kms_backend.keys:
            del alias["TargetKeyId"]
    return json.dumps(listed)


kms_responses.KmsResponse.list_aliases = list_aliases

_get_trail = cloudtrail_models.CloudTrailBackend.get_trail


def get_event_selectors(self, trail_name):
    shadow = next(
        (
            trail
            for trail in self.describe_trails(include_shadow_trails=True)
            if trail.arn == trail_name
        ),
        None,
    )
    trail = shadow or _get_trail(self, trail_name)
    event_selectors, advanced_event_selectors = trail.get_event_selectors()
    return trail.arn, event_selectors, advanced_event_selectors


cloudtrail_models.CloudTrailBackend.get_event_selectors = get_event_selectors

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
