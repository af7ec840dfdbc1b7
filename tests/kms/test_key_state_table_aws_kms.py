"""The key-state table for AWS_KMS keys (keys whose material KMS generated), through boto3.

moto applies no key state: a Disabled key encrypts, a key pending deletion can be disabled,
tagged or scheduled again. Under the mock every customer managed key follows AWS's table; the
rows differ from the EXTERNAL table only where AWS's do (automatic rotation works, no
PendingImport state). One test per (row, state): the key is used once while Enabled (a
ciphertext, a signature, a MAC, a grant), then put in the state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from tests.helpers import aws_error, key_state
from tests.keymaterial import spki

STATES = ("Enabled", "Disabled", "PendingDeletion")
PRINCIPAL = "arn:aws:iam::123456789012:role/reader"
MESSAGE = b"state table"

#: AWS's key-state footnotes, as (code, message template); "OK" means the call succeeds.
OUTCOMES: dict[str, tuple[str, str] | None] = {
    "OK": None,
    "[1]": ("DisabledException", "{arn} is disabled."),
    "[3]": ("KMSInvalidStateException", "{arn} is pending deletion."),
    "[4]": ("KMSInvalidStateException", "{arn} is not pending deletion."),
}


@dataclasses.dataclass
class Ctx:
    kms: Any
    key_id: str
    arn: str
    grant_id: str
    blob: bytes = b""


@dataclasses.dataclass(frozen=True)
class Row:
    operation: str
    call: Callable[[Ctx], Any]
    #: Outcomes for Enabled, Disabled, PendingDeletion.
    outcomes: tuple[str, str, str]
    spec: str = "SYMMETRIC_DEFAULT"
    usage: str | None = None
    multi_region: bool = False


def _update_alias(c: Ctx) -> None:
    other = c.kms.create_key()["KeyMetadata"]["KeyId"]
    c.kms.create_alias(AliasName="alias/elsewhere", TargetKeyId=other)
    c.kms.update_alias(AliasName="alias/elsewhere", TargetKeyId=c.key_id)


def _verify(c: Ctx) -> None:
    c.kms.verify(
        KeyId=c.key_id, Message=MESSAGE, Signature=c.blob, SigningAlgorithm="ECDSA_SHA_256"
    )


CRYPTO = ("OK", "[1]", "[3]")
MANAGE = ("OK", "OK", "[3]")
SETTING = ("OK", "OK", "[3]")
ALWAYS = ("OK", "OK", "OK")
SIGN = {"spec": "ECC_NIST_P256", "usage": "SIGN_VERIFY"}
MAC = {"spec": "HMAC_256", "usage": "GENERATE_VERIFY_MAC"}

ROWS = [
    Row("Encrypt", lambda c: c.kms.encrypt(KeyId=c.key_id, Plaintext=MESSAGE), CRYPTO),
    Row("Decrypt", lambda c: c.kms.decrypt(CiphertextBlob=c.blob), CRYPTO),
    Row("Decrypt (KeyId)", lambda c: c.kms.decrypt(CiphertextBlob=c.blob, KeyId=c.key_id), CRYPTO),
    Row(
        "ReEncrypt",
        lambda c: c.kms.re_encrypt(CiphertextBlob=c.blob, DestinationKeyId=c.key_id),
        CRYPTO,
    ),
    Row(
        "GenerateDataKey",
        lambda c: c.kms.generate_data_key(KeyId=c.key_id, KeySpec="AES_256"),
        CRYPTO,
    ),
    Row(
        "GenerateDataKeyWithoutPlaintext",
        lambda c: c.kms.generate_data_key_without_plaintext(KeyId=c.key_id, NumberOfBytes=16),
        CRYPTO,
    ),
    Row(
        "GenerateDataKeyPair",
        lambda c: c.kms.generate_data_key_pair(KeyId=c.key_id, KeyPairSpec="ECC_NIST_P256"),
        CRYPTO,
    ),
    Row(
        "GenerateDataKeyPairWithoutPlaintext",
        lambda c: c.kms.generate_data_key_pair_without_plaintext(
            KeyId=c.key_id, KeyPairSpec="ECC_NIST_P256"
        ),
        CRYPTO,
    ),
    Row(
        "Sign",
        lambda c: c.kms.sign(KeyId=c.key_id, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256"),
        CRYPTO,
        **SIGN,
    ),
    Row("Verify", _verify, CRYPTO, **SIGN),
    Row("GetPublicKey", lambda c: c.kms.get_public_key(KeyId=c.key_id), CRYPTO, **SIGN),
    Row(
        "GenerateMac",
        lambda c: c.kms.generate_mac(KeyId=c.key_id, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256"),
        CRYPTO,
        **MAC,
    ),
    Row(
        "VerifyMac",
        lambda c: c.kms.verify_mac(
            KeyId=c.key_id, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256", Mac=c.blob
        ),
        CRYPTO,
        **MAC,
    ),
    Row(
        "DeriveSharedSecret",
        lambda c: c.kms.derive_shared_secret(
            KeyId=c.key_id,
            KeyAgreementAlgorithm="ECDH",
            PublicKey=spki(ec.generate_private_key(ec.SECP256R1())),
        ),
        CRYPTO,
        "ECC_NIST_P256",
        "KEY_AGREEMENT",
    ),
    Row("EnableKey", lambda c: c.kms.enable_key(KeyId=c.key_id), SETTING),
    Row("DisableKey", lambda c: c.kms.disable_key(KeyId=c.key_id), SETTING),
    Row(
        "ScheduleKeyDeletion",
        lambda c: c.kms.schedule_key_deletion(KeyId=c.key_id, PendingWindowInDays=7),
        SETTING,
    ),
    Row(
        "CancelKeyDeletion",
        lambda c: c.kms.cancel_key_deletion(KeyId=c.key_id),
        ("[4]", "[4]", "OK"),
    ),
    # Where the EXTERNAL table answers UnsupportedOperationException, AWS_KMS keys rotate.
    Row("EnableKeyRotation", lambda c: c.kms.enable_key_rotation(KeyId=c.key_id), CRYPTO),
    Row("DisableKeyRotation", lambda c: c.kms.disable_key_rotation(KeyId=c.key_id), CRYPTO),
    Row("GetKeyRotationStatus", lambda c: c.kms.get_key_rotation_status(KeyId=c.key_id), ALWAYS),
    Row("RotateKeyOnDemand", lambda c: c.kms.rotate_key_on_demand(KeyId=c.key_id), CRYPTO),
    Row("ListKeyRotations", lambda c: c.kms.list_key_rotations(KeyId=c.key_id), ALWAYS),
    Row(
        "ReplicateKey",
        lambda c: c.kms.replicate_key(KeyId=c.key_id, ReplicaRegion="eu-west-1"),
        CRYPTO,
        multi_region=True,
    ),
    Row("DescribeKey", lambda c: c.kms.describe_key(KeyId=c.key_id), ALWAYS),
    Row("ListAliases", lambda c: c.kms.list_aliases(KeyId=c.key_id), ALWAYS),
    Row("ListGrants", lambda c: c.kms.list_grants(KeyId=c.key_id), ALWAYS),
    Row(
        "GetKeyPolicy", lambda c: c.kms.get_key_policy(KeyId=c.key_id, PolicyName="default"), ALWAYS
    ),
    Row(
        "PutKeyPolicy",
        lambda c: c.kms.put_key_policy(
            KeyId=c.key_id,
            PolicyName="default",
            Policy=c.kms.get_key_policy(KeyId=c.key_id, PolicyName="default")["Policy"],
        ),
        ALWAYS,
    ),
    Row("RetireGrant", lambda c: c.kms.retire_grant(KeyId=c.key_id, GrantId=c.grant_id), ALWAYS),
    Row("RevokeGrant", lambda c: c.kms.revoke_grant(KeyId=c.key_id, GrantId=c.grant_id), ALWAYS),
    Row("ListResourceTags", lambda c: c.kms.list_resource_tags(KeyId=c.key_id), ALWAYS),
    Row(
        "CreateAlias",
        lambda c: c.kms.create_alias(AliasName="alias/state-table", TargetKeyId=c.key_id),
        MANAGE,
    ),
    Row("UpdateAlias", _update_alias, MANAGE),
    Row(
        "TagResource",
        lambda c: c.kms.tag_resource(KeyId=c.key_id, Tags=[{"TagKey": "k", "TagValue": "v"}]),
        MANAGE,
    ),
    Row("UntagResource", lambda c: c.kms.untag_resource(KeyId=c.key_id, TagKeys=["team"]), MANAGE),
    Row(
        "UpdateKeyDescription",
        lambda c: c.kms.update_key_description(KeyId=c.key_id, Description="new"),
        MANAGE,
    ),
    Row(
        "CreateGrant",
        lambda c: c.kms.create_grant(
            KeyId=c.key_id, GranteePrincipal=PRINCIPAL, Operations=["DescribeKey"]
        ),
        CRYPTO,
    ),
]


def key_in_state(kms: Any, row: Row, state: str) -> Ctx:
    """An AWS_KMS key of the row's spec, used once while Enabled, then put in ``state``."""
    create: dict[str, Any] = {
        "KeySpec": row.spec,
        "MultiRegion": row.multi_region,
        "Tags": [{"TagKey": "team", "TagValue": "crypto"}],
    }
    if row.usage:
        create["KeyUsage"] = row.usage
    metadata = kms.create_key(**create)["KeyMetadata"]
    key_id = metadata["KeyId"]
    grant_id = kms.create_grant(
        KeyId=key_id, GranteePrincipal=PRINCIPAL, Operations=["DescribeKey"]
    )["GrantId"]
    ctx = Ctx(kms, key_id, metadata["Arn"], grant_id)
    if row.spec == "SYMMETRIC_DEFAULT":
        ctx.blob = kms.encrypt(KeyId=key_id, Plaintext=MESSAGE)["CiphertextBlob"]
    elif row.usage == "SIGN_VERIFY":
        ctx.blob = kms.sign(KeyId=key_id, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256")[
            "Signature"
        ]
    elif row.usage == "GENERATE_VERIFY_MAC":
        ctx.blob = kms.generate_mac(KeyId=key_id, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")[
            "Mac"
        ]
    if state == "Disabled":
        kms.disable_key(KeyId=key_id)
    elif state == "PendingDeletion":
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert key_state(kms, key_id) == state
    return ctx


@pytest.mark.parametrize(
    ("row", "state", "outcome"),
    [
        pytest.param(row, state, outcome, id=f"{row.operation}-{state}")
        for row in ROWS
        for state, outcome in zip(STATES, row.outcomes, strict=True)
    ],
)
def test_key_state_table_for_aws_kms_keys(
    kms_import: Any, row: Row, state: str, outcome: str
) -> None:
    kms = kms_import.client()
    ctx = key_in_state(kms, row, state)
    expected = OUTCOMES[outcome]
    if expected is None:
        row.call(ctx)
        return
    code, template = expected
    assert aws_error(row.call, ctx) == (code, template.format(arn=ctx.arn))


def test_refused_calls_change_nothing(kms_import: Any) -> None:
    """A refused call leaves the key as it was: state, tags, aliases, description, grants."""
    kms = kms_import.client()
    ctx = key_in_state(kms, ROWS[0], "PendingDeletion")
    deletion_date = kms.describe_key(KeyId=ctx.key_id)["KeyMetadata"]["DeletionDate"]
    for row in ROWS:
        if row.outcomes[2] != "OK":
            aws_error(row.call, ctx)
    metadata = kms.describe_key(KeyId=ctx.key_id)["KeyMetadata"]
    assert (metadata["KeyState"], metadata["DeletionDate"]) == ("PendingDeletion", deletion_date)
    assert metadata["Description"] == ""
    assert kms.list_resource_tags(KeyId=ctx.key_id)["Tags"] == [
        {"TagKey": "team", "TagValue": "crypto"}
    ]
    assert kms.list_aliases(KeyId=ctx.key_id)["Aliases"] == []
    assert len(kms.list_grants(KeyId=ctx.key_id)["Grants"]) == 1


def test_cancel_key_deletion_leaves_the_key_disabled(kms_import: Any) -> None:
    kms = kms_import.client()
    ctx = key_in_state(kms, ROWS[0], "PendingDeletion")
    kms.cancel_key_deletion(KeyId=ctx.key_id)
    metadata = kms.describe_key(KeyId=ctx.key_id)["KeyMetadata"]
    assert (metadata["KeyState"], metadata["Enabled"]) == ("Disabled", False)
    assert "DeletionDate" not in metadata
    kms.enable_key(KeyId=ctx.key_id)
    assert kms.decrypt(CiphertextBlob=ctx.blob)["Plaintext"] == MESSAGE


def test_an_out_of_range_waiting_period_is_a_validation_error(kms_import: Any) -> None:
    """moto did nothing and answered ``DeletionDate: null``."""
    kms = kms_import.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    for days, bound in ((6, "greater than or equal to 7"), (31, "less than or equal to 30")):
        code, message = aws_error(kms.schedule_key_deletion, KeyId=key_id, PendingWindowInDays=days)
        assert code == "ValidationException"
        assert message.endswith(f"Member must have value {bound}")
    assert key_state(kms, key_id) == "Enabled"


@pytest.mark.parametrize(
    ("spec", "usage"),
    [("RSA_2048", "ENCRYPT_DECRYPT"), ("ECC_NIST_P256", "SIGN_VERIFY"), ("HMAC_256", None)],
)
def test_automatic_rotation_is_for_symmetric_keys_only(
    kms_import: Any, spec: str, usage: str | None
) -> None:
    kms = kms_import.client()
    create = {"KeySpec": spec, "KeyUsage": usage or "GENERATE_VERIFY_MAC"}
    metadata = kms.create_key(**create)["KeyMetadata"]
    for call in (kms.enable_key_rotation, kms.disable_key_rotation):
        code, message = aws_error(call, KeyId=metadata["KeyId"])
        assert code == "UnsupportedOperationException"
        assert message.startswith(f"{metadata['Arn']} is a {spec} key;")
    assert kms.get_key_rotation_status(KeyId=metadata["KeyId"])["KeyRotationEnabled"] is False


def test_plain_moto_keeps_its_own_behaviour_after_the_mock() -> None:
    """The rules live in the mock's backend class only: plain ``mock_aws`` still lets a
    Disabled key encrypt, as moto always did."""
    import boto3
    from moto import mock_aws

    from kms_import_mock import mock_kms_import

    with mock_kms_import():
        pass
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.disable_key(KeyId=key_id)
        assert kms.encrypt(KeyId=key_id, Plaintext=MESSAGE)["CiphertextBlob"]
