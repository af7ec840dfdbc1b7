"""A key ARN (or alias ARN) of another Region or account names no key of this Region.

moto strips any ARN to its key ID, so ``arn:aws:kms:eu-west-1:...:key/<id>`` was served as the
us-east-1 key with that ID by Encrypt, DisableKey, ScheduleKeyDeletion and the rest. AWS answers
NotFoundException (``Invalid arn <Region>`` for another Region, as AWS was recorded answering;
``Key '<arn>' does not exist`` for another account). Every operation of botocore's model that
takes a KeyId-like member is walked (the test fails if the model gains one the table below
lacks), and the key is left unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kms_import_mock.kms.shapes import service_model
from tests.helpers import aws_error

_BLOB = b"\x01" * 32
_POLICY = '{"Version": "2012-10-17", "Statement": []}'

#: operation -> the boto3 call, given the foreign ARN (only the shape check must pass first).
CALLS: dict[str, Callable[[Any, str], Any] | None] = {
    "CancelKeyDeletion": lambda k, a: k.cancel_key_deletion(KeyId=a),
    "CreateAlias": lambda k, a: k.create_alias(AliasName="alias/x", TargetKeyId=a),
    "CreateGrant": lambda k, a: k.create_grant(
        KeyId=a, GranteePrincipal="arn:aws:iam::123456789012:root", Operations=["Decrypt"]
    ),
    "Decrypt": lambda k, a: k.decrypt(KeyId=a, CiphertextBlob=_BLOB),
    "Decapsulate": None,  # not implemented (test_fidelity_responses)
    "DeleteImportedKeyMaterial": lambda k, a: k.delete_imported_key_material(KeyId=a),
    "DeriveSharedSecret": lambda k, a: k.derive_shared_secret(
        KeyId=a, KeyAgreementAlgorithm="ECDH", PublicKey=_BLOB
    ),
    "DescribeKey": lambda k, a: k.describe_key(KeyId=a),
    "DisableKey": lambda k, a: k.disable_key(KeyId=a),
    "DisableKeyRotation": lambda k, a: k.disable_key_rotation(KeyId=a),
    "EnableKey": lambda k, a: k.enable_key(KeyId=a),
    "EnableKeyRotation": lambda k, a: k.enable_key_rotation(KeyId=a),
    "Encapsulate": None,
    "Encrypt": lambda k, a: k.encrypt(KeyId=a, Plaintext=b"x"),
    "GenerateDataKey": lambda k, a: k.generate_data_key(KeyId=a, KeySpec="AES_256"),
    "GenerateDataKeyPair": lambda k, a: k.generate_data_key_pair(
        KeyId=a, KeyPairSpec="ECC_NIST_P256"
    ),
    "GenerateDataKeyPairWithoutPlaintext": lambda k, a: k.generate_data_key_pair_without_plaintext(
        KeyId=a, KeyPairSpec="ECC_NIST_P256"
    ),
    "GenerateDataKeyWithoutPlaintext": lambda k, a: k.generate_data_key_without_plaintext(
        KeyId=a, KeySpec="AES_256"
    ),
    "GenerateMac": lambda k, a: k.generate_mac(KeyId=a, Message=b"m", MacAlgorithm="HMAC_SHA_256"),
    "GetKeyLastUsage": lambda k, a: k.get_key_last_usage(KeyId=a),
    "GetKeyPolicy": lambda k, a: k.get_key_policy(KeyId=a, PolicyName="default"),
    "GetKeyRotationStatus": lambda k, a: k.get_key_rotation_status(KeyId=a),
    "GetParametersForImport": lambda k, a: k.get_parameters_for_import(
        KeyId=a, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    ),
    "GetPublicKey": lambda k, a: k.get_public_key(KeyId=a),
    "ImportKeyMaterial": lambda k, a: k.import_key_material(
        KeyId=a,
        ImportToken=_BLOB,
        EncryptedKeyMaterial=_BLOB,
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    ),
    "ListAliases": lambda k, a: k.list_aliases(KeyId=a),
    "ListGrants": lambda k, a: k.list_grants(KeyId=a),
    "ListKeyPolicies": lambda k, a: k.list_key_policies(KeyId=a),
    "ListKeyRotations": lambda k, a: k.list_key_rotations(KeyId=a),
    "ListResourceTags": lambda k, a: k.list_resource_tags(KeyId=a),
    "PutKeyPolicy": lambda k, a: k.put_key_policy(KeyId=a, PolicyName="default", Policy=_POLICY),
    "ReEncrypt": lambda k, a: k.re_encrypt(CiphertextBlob=_BLOB, DestinationKeyId=a),
    "ReplicateKey": lambda k, a: k.replicate_key(KeyId=a, ReplicaRegion="eu-west-2"),
    "RetireGrant": lambda k, a: k.retire_grant(KeyId=a, GrantId="0" * 64),
    "RevokeGrant": lambda k, a: k.revoke_grant(KeyId=a, GrantId="0" * 64),
    "RotateKeyOnDemand": lambda k, a: k.rotate_key_on_demand(KeyId=a),
    "ScheduleKeyDeletion": lambda k, a: k.schedule_key_deletion(KeyId=a, PendingWindowInDays=7),
    "Sign": lambda k, a: k.sign(KeyId=a, Message=b"m", SigningAlgorithm="ECDSA_SHA_256"),
    "TagResource": lambda k, a: k.tag_resource(KeyId=a, Tags=[{"TagKey": "k", "TagValue": "v"}]),
    "UntagResource": lambda k, a: k.untag_resource(KeyId=a, TagKeys=["k"]),
    "UpdateAlias": lambda k, a: k.update_alias(AliasName="alias/x", TargetKeyId=a),
    "UpdateKeyDescription": lambda k, a: k.update_key_description(KeyId=a, Description="d"),
    "UpdatePrimaryRegion": None,  # not implemented
    "Verify": lambda k, a: k.verify(
        KeyId=a, Message=b"m", Signature=_BLOB, SigningAlgorithm="ECDSA_SHA_256"
    ),
    "VerifyMac": lambda k, a: k.verify_mac(
        KeyId=a, Message=b"m", MacAlgorithm="HMAC_SHA_256", Mac=_BLOB
    ),
}
#: Those the installed botocore can call (an older model lacks the newest operations).
IMPLEMENTED = sorted(
    op
    for op, call in CALLS.items()
    if call is not None and op in service_model("kms").operation_names
)


def test_the_table_covers_every_operation_that_takes_a_key() -> None:
    model = service_model("kms")
    taking_a_key = {
        op
        for op in model.operation_names
        if any(
            shape.name == "KeyIdType"
            for shape in model.operation_model(op).input_shape.members.values()
        )
    }
    # the table also names operations newer than an older botocore's model; none is missing
    assert taking_a_key == set(CALLS) & set(model.operation_names)


def _foreign(arn: str, where: str) -> str:
    parts = arn.split(":")
    if where == "region":
        parts[3] = "eu-west-1"
    else:
        parts[4] = "111122223333"
    return ":".join(parts)


@pytest.mark.parametrize("where", ["region", "account"])
@pytest.mark.parametrize("operation", IMPLEMENTED)
def test_a_foreign_key_arn_is_not_found(kms_import: Any, operation: str, where: str) -> None:
    kms = kms_import.client()
    before = kms.describe_key(KeyId=kms.create_key()["KeyMetadata"]["KeyId"])["KeyMetadata"]
    foreign = _foreign(before["Arn"], where)
    call = CALLS[operation]
    assert call is not None
    # Another Region: the message AWS was recorded answering; another account: AWS's message
    # for a key that does not exist (there is none in that account under the mock).
    message = "Invalid arn eu-west-1" if where == "region" else f"Key '{foreign}' does not exist"
    assert aws_error(call, kms, foreign) == ("NotFoundException", message)
    after = kms.describe_key(KeyId=before["KeyId"])["KeyMetadata"]
    assert after == before
    assert kms.list_resource_tags(KeyId=before["KeyId"])["Tags"] == []


def test_a_foreign_alias_arn_is_not_found(kms_import: Any) -> None:
    kms = kms_import.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/here", TargetKeyId=key_id)
    local = "arn:aws:kms:us-east-1:123456789012:alias/here"
    elsewhere = local.replace("us-east-1", "eu-west-1")
    other_account = local.replace("123456789012", "111122223333")
    for operation in ("Encrypt", "DescribeKey", "GenerateDataKey"):
        call = CALLS[operation]
        assert call is not None
        assert aws_error(call, kms, elsewhere) == ("NotFoundException", "Invalid arn eu-west-1")
        assert aws_error(call, kms, other_account) == (
            "NotFoundException",
            f"Alias {other_account} is not found.",
        )
    assert kms.encrypt(KeyId=local, Plaintext=b"x")["KeyId"].endswith(key_id)


def test_the_replica_arn_works_only_in_its_own_region(kms_import: Any) -> None:
    """A multi-Region key's replica ARN names the replica in its Region, not the primary."""
    kms = kms_import.client()
    primary = kms.create_key(MultiRegion=True)["KeyMetadata"]
    replica = kms.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    replica_arn = replica["ReplicaKeyMetadata"]["Arn"]
    assert aws_error(kms.disable_key, KeyId=replica_arn)[0] == "NotFoundException"
    assert kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
    there = kms_import.client(region_name="eu-west-1")
    there.disable_key(KeyId=replica_arn)
    assert there.describe_key(KeyId=replica_arn)["KeyMetadata"]["KeyState"] == "Disabled"
