"""Every row of the spec's key-state table for EXTERNAL keys (§7), through boto3.

One test per (row, state): the key is made Enabled with its material imported (plus a grant and
a ciphertext), then put in the state, and the row's operation must succeed or fail with the exact
code and message of the table's footnote. ``Creating`` and
``Updating`` never last beyond one call in the mock, so only the four lasting states are walked.
UpdatePrimaryRegion is not in the table here: moto implements it for no key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding

from tests.helpers import aws_error, import_material, key_state
from tests.keymaterial import pkcs8, private_key, spki

STATES = ("Enabled", "Disabled", "PendingDeletion", "PendingImport")
PRINCIPAL = "arn:aws:iam::123456789012:role/reader"
MESSAGE = b"state table"
HMAC_MATERIAL = bytes(range(32))
SYMMETRIC_MATERIAL = bytes(range(100, 132))

#: Footnotes of the table (spec §7), as (code, message template); "OK" means the call succeeds.
OUTCOMES: dict[str, tuple[str, str] | None] = {
    "OK": None,
    "[1]": ("DisabledException", "{arn} is disabled."),
    "[2]": ("DisabledException", "{arn} is pending deletion."),
    "[3]": ("KMSInvalidStateException", "{arn} is pending deletion."),
    "[4]": ("KMSInvalidStateException", "{arn} is not pending deletion."),
    "[5]": ("KMSInvalidStateException", "{arn} is pending import."),
    "[7]": (
        "UnsupportedOperationException",
        "{arn} origin is EXTERNAL which is not valid for this operation.",
    ),
    # RotateKeyOnDemand on an Enabled key passes the state check and then finds nothing pending.
    "nothing pending": (
        "KMSInvalidStateException",
        "No available key material pending rotation for the key: {arn}.",
    ),
}


@dataclasses.dataclass
class Ctx:
    kms: Any
    key_id: str
    arn: str
    state: str
    spec: str
    grant_id: str
    ciphertext: bytes | None


@dataclasses.dataclass(frozen=True)
class Row:
    operation: str
    call: Callable[[Ctx], Any]
    #: Outcomes for Enabled, Disabled, PendingDeletion, PendingImport.
    outcomes: tuple[str, str, str, str]
    spec: str = "SYMMETRIC_DEFAULT"
    usage: str | None = None
    multi_region: bool = False


def _material(spec: str) -> bytes:
    if spec == "SYMMETRIC_DEFAULT":
        return SYMMETRIC_MATERIAL
    return HMAC_MATERIAL if spec.startswith("HMAC") else pkcs8(spec)


def _reimport(c: Ctx) -> None:
    import_material(c.kms, c.key_id, _material(c.spec))


def _delete_material(c: Ctx) -> None:
    c.kms.delete_imported_key_material(KeyId=c.key_id)
    # PendingDeletion stays; every other state becomes PendingImport.
    expected = "PendingDeletion" if c.state == "PendingDeletion" else "PendingImport"
    assert key_state(c.kms, c.key_id) == expected


def _verify(c: Ctx) -> None:
    signature = private_key(c.spec).sign(MESSAGE, ec.ECDSA(hashes.SHA256()))
    c.kms.verify(
        KeyId=c.key_id, Message=MESSAGE, Signature=signature, SigningAlgorithm="ECDSA_SHA_256"
    )


def _verify_mac(c: Ctx) -> None:
    mac = hmac.new(HMAC_MATERIAL, MESSAGE, hashlib.sha256).digest()
    c.kms.verify_mac(KeyId=c.key_id, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256", Mac=mac)


def _rsa_decrypt(c: Ctx) -> None:
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    blob = private_key(c.spec).public_key().encrypt(MESSAGE, oaep)
    c.kms.decrypt(KeyId=c.key_id, CiphertextBlob=blob, EncryptionAlgorithm="RSAES_OAEP_SHA_256")


def _update_alias(c: Ctx) -> None:
    other = c.kms.create_key()["KeyMetadata"]["KeyId"]
    c.kms.create_alias(AliasName="alias/elsewhere", TargetKeyId=other)
    c.kms.update_alias(AliasName="alias/elsewhere", TargetKeyId=c.key_id)


CRYPTO = ("OK", "[1]", "[3]", "[5]")
MANAGE = ("OK", "OK", "[3]", "OK")
ALWAYS = ("OK", "OK", "OK", "OK")

ROWS = [
    Row(
        "GetParametersForImport",
        lambda c: c.kms.get_parameters_for_import(
            KeyId=c.key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        ),
        ("OK", "OK", "[3]", "OK"),
    ),
    Row("ImportKeyMaterial", _reimport, ("OK", "OK", "[3]", "OK")),
    Row("ImportKeyMaterial (RSA)", _reimport, ("OK", "OK", "[3]", "OK"), "RSA_2048", "SIGN_VERIFY"),
    Row("DeleteImportedKeyMaterial", _delete_material, ALWAYS),
    Row("Encrypt", lambda c: c.kms.encrypt(KeyId=c.key_id, Plaintext=MESSAGE), CRYPTO),
    Row("Decrypt", lambda c: c.kms.decrypt(CiphertextBlob=c.ciphertext), CRYPTO),
    Row(
        "ReEncrypt",
        lambda c: c.kms.re_encrypt(CiphertextBlob=c.ciphertext, DestinationKeyId=c.key_id),
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
        "ECC_NIST_P256",
        "SIGN_VERIFY",
    ),
    Row("Verify", _verify, CRYPTO, "ECC_NIST_P256", "SIGN_VERIFY"),
    Row(
        "GetPublicKey",
        lambda c: c.kms.get_public_key(KeyId=c.key_id),
        CRYPTO,
        "ECC_NIST_P256",
        "SIGN_VERIFY",
    ),
    Row(
        "GenerateMac",
        lambda c: c.kms.generate_mac(KeyId=c.key_id, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256"),
        CRYPTO,
        "HMAC_256",
        "GENERATE_VERIFY_MAC",
    ),
    Row("VerifyMac", _verify_mac, CRYPTO, "HMAC_256", "GENERATE_VERIFY_MAC"),
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
    Row(
        "Encrypt (RSA)",
        lambda c: c.kms.encrypt(
            KeyId=c.key_id, Plaintext=MESSAGE, EncryptionAlgorithm="RSAES_OAEP_SHA_256"
        ),
        CRYPTO,
        "RSA_2048",
        "ENCRYPT_DECRYPT",
    ),
    Row("Decrypt (RSA)", _rsa_decrypt, CRYPTO, "RSA_2048", "ENCRYPT_DECRYPT"),
    Row("EnableKey", lambda c: c.kms.enable_key(KeyId=c.key_id), ("OK", "OK", "[3]", "[5]")),
    Row("DisableKey", lambda c: c.kms.disable_key(KeyId=c.key_id), ("OK", "OK", "[3]", "[5]")),
    Row(
        "ScheduleKeyDeletion",
        lambda c: c.kms.schedule_key_deletion(KeyId=c.key_id, PendingWindowInDays=7),
        ("OK", "OK", "[3]", "OK"),
    ),
    Row(
        "CancelKeyDeletion",
        lambda c: c.kms.cancel_key_deletion(KeyId=c.key_id),
        ("[4]", "[4]", "OK", "[4]"),
    ),
    # The table allows "[1] or [7]" / "[3] or [7]": automatic rotation is never available for
    # imported material, whatever the state, so the mock answers [7] throughout.
    Row("EnableKeyRotation", lambda c: c.kms.enable_key_rotation(KeyId=c.key_id), ("[7]",) * 4),
    Row("DisableKeyRotation", lambda c: c.kms.disable_key_rotation(KeyId=c.key_id), ("[7]",) * 4),
    Row(
        "GetKeyRotationStatus",
        lambda c: c.kms.get_key_rotation_status(KeyId=c.key_id),
        ("[7]",) * 4,
    ),
    Row(
        "RotateKeyOnDemand",
        lambda c: c.kms.rotate_key_on_demand(KeyId=c.key_id),
        ("nothing pending", "[1]", "[3]", "[5]"),
    ),
    Row(
        "ReplicateKey",
        lambda c: c.kms.replicate_key(KeyId=c.key_id, ReplicaRegion="eu-west-1"),
        ("OK", "[1]", "[3]", "[5]"),
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
        ("OK", "[1]", "[3]", "[5]"),
    ),
]


def key_in_state(kms: Any, row: Row, state: str) -> Ctx:
    """An EXTERNAL key of the row's spec, used once while Enabled, then put in ``state``."""
    create: dict[str, Any] = {
        "Origin": "EXTERNAL",
        "KeySpec": row.spec,
        "MultiRegion": row.multi_region,
        "Tags": [{"TagKey": "team", "TagValue": "crypto"}],
    }
    if row.usage:
        create["KeyUsage"] = row.usage
    key_id = kms.create_key(**create)["KeyMetadata"]["KeyId"]
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    ctx = Ctx(kms, key_id, arn, state, row.spec, "", None)
    _reimport(ctx)
    if row.spec == "SYMMETRIC_DEFAULT":
        ctx.ciphertext = kms.encrypt(KeyId=key_id, Plaintext=MESSAGE)["CiphertextBlob"]
    ctx.grant_id = kms.create_grant(
        KeyId=key_id, GranteePrincipal=PRINCIPAL, Operations=["DescribeKey"]
    )["GrantId"]
    if state == "Disabled":
        kms.disable_key(KeyId=key_id)
    elif state == "PendingDeletion":
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    elif state == "PendingImport":
        kms.delete_imported_key_material(KeyId=key_id)
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
def test_key_state_table(kms_import: Any, row: Row, state: str, outcome: str) -> None:
    kms = kms_import.client()
    ctx = key_in_state(kms, row, state)
    expected = OUTCOMES[outcome]
    if expected is None:
        row.call(ctx)
        return
    code, template = expected
    assert aws_error(row.call, ctx) == (code, template.format(arn=ctx.arn))


def test_refused_management_calls_change_nothing(kms_import: Any) -> None:
    """Tags, aliases and the description of a key pending deletion stay as they were."""
    kms = kms_import.client()
    ctx = key_in_state(kms, ROWS[0], "PendingDeletion")
    for row in ROWS:
        if row.outcomes == MANAGE or row.operation == "CreateGrant":
            aws_error(row.call, ctx)
    assert kms.list_resource_tags(KeyId=ctx.key_id)["Tags"] == [
        {"TagKey": "team", "TagValue": "crypto"}
    ]
    assert [a["AliasName"] for a in kms.list_aliases(KeyId=ctx.key_id)["Aliases"]] == []
    assert kms.describe_key(KeyId=ctx.key_id)["KeyMetadata"]["Description"] == ""
    assert len(kms.list_grants(KeyId=ctx.key_id)["Grants"]) == 1


def test_alias_can_move_away_from_a_key_pending_deletion(kms_import: Any) -> None:
    """UpdateAlias checks only the key the alias is to name."""
    kms = kms_import.client()
    ctx = key_in_state(kms, ROWS[0], "Enabled")
    kms.create_alias(AliasName="alias/moving", TargetKeyId=ctx.key_id)
    kms.schedule_key_deletion(KeyId=ctx.key_id, PendingWindowInDays=7)
    target = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.update_alias(AliasName="alias/moving", TargetKeyId=target)
    assert kms.describe_key(KeyId="alias/moving")["KeyMetadata"]["KeyId"] == target


def test_tagging_backend_call_with_keyword_arguments(kms_import: Any) -> None:
    """Other moto services call ``tag_resource``/``untag_resource`` directly, by keyword too."""
    from moto.kms.models import kms_backends

    kms = kms_import.client()
    ctx = key_in_state(kms, ROWS[0], "PendingDeletion")
    backend = kms_backends["123456789012"]["us-east-1"]
    with pytest.raises(Exception, match="is pending deletion") as info:
        backend.tag_resource(arn=ctx.arn, tags={"k": "v"})
    assert type(info.value).__name__ == "KMSInvalidStateException"
    with pytest.raises(Exception, match="is pending deletion"):
        backend.untag_resource(arn=ctx.arn, tag_keys=["team"])
