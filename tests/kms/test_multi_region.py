"""Multi-Region EXTERNAL keys: replica onboarding and multi-Region rotation (spec §8), end to
end through boto3 against two and three Regions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.config import Config

from kms_import_mock import generate_key_material
from tests.helpers import aws_error, key_state
from tests.rotation_helpers import (
    EXISTING,
    NEW,
    SYM,
    all_materials,
    forget_tokens,
    imp,
    material_states,
    metadata,
    rotations,
)

PRIMARY, REPLICA, OTHER = "us-east-1", "eu-west-1", "ap-southeast-2"
PENDING_MRK = "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"


@pytest.fixture
def clients(kms_import: Any) -> dict[str, Any]:
    forget_tokens()
    return {region: kms_import.client(region) for region in (PRIMARY, REPLICA, OTHER)}


@pytest.fixture
def primary(clients: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = clients[PRIMARY].create_key(Origin="EXTERNAL", MultiRegion=True)[
        "KeyMetadata"
    ]
    return meta


def arn_in(region: str, key_id: str) -> str:
    return f"arn:aws:kms:{region}:123456789012:key/{key_id}"


#: Every importable key spec with a usage it allows (one test, to pay for one mock start).
IMPORTABLE = [
    ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
    ("HMAC_224", "GENERATE_VERIFY_MAC"),
    ("HMAC_256", "GENERATE_VERIFY_MAC"),
    ("HMAC_384", "GENERATE_VERIFY_MAC"),
    ("HMAC_512", "GENERATE_VERIFY_MAC"),
    ("RSA_2048", "ENCRYPT_DECRYPT"),
    ("RSA_3072", "SIGN_VERIFY"),
    ("RSA_4096", "SIGN_VERIFY"),
    ("ECC_NIST_P256", "SIGN_VERIFY"),
    ("ECC_NIST_P384", "KEY_AGREEMENT"),
    ("ECC_NIST_P521", "SIGN_VERIFY"),
    ("ECC_SECG_P256K1", "SIGN_VERIFY"),
]


def test_create_multi_region_external_keys(clients: dict[str, Any]) -> None:
    kms = clients[PRIMARY]
    for key_spec, key_usage in IMPORTABLE:
        meta = kms.create_key(
            Origin="EXTERNAL", MultiRegion=True, KeySpec=key_spec, KeyUsage=key_usage
        )["KeyMetadata"]
        assert meta["KeyId"].startswith("mrk-")
        assert (meta["KeyState"], meta["Enabled"], meta["Origin"]) == (
            "PendingImport",
            False,
            "EXTERNAL",
        )
        assert (meta["KeySpec"], meta["KeyUsage"], meta["MultiRegion"]) == (
            key_spec,
            key_usage,
            True,
        )
        assert meta["MultiRegionConfiguration"] == {
            "MultiRegionKeyType": "PRIMARY",
            "PrimaryKey": {"Arn": meta["Arn"], "Region": PRIMARY},
            "ReplicaKeys": [],
        }
        assert not {"ExpirationModel", "ValidTo", "CurrentKeyMaterialId"} & meta.keys()
        # A primary without material cannot be replicated.
        assert aws_error(kms.replicate_key, KeyId=meta["KeyId"], ReplicaRegion=REPLICA) == (
            "KMSInvalidStateException",
            f"{meta['Arn']} is pending import.",
        )


def test_replica_onboarding_runbook(
    kms_import: Any, clients: dict[str, Any], primary: dict[str, Any]
) -> None:
    kms, eu = clients[PRIMARY], clients[REPLICA]
    key_id, arn = primary["KeyId"], primary["Arn"]
    replica_arn = arn_in(REPLICA, key_id)
    assert aws_error(kms.replicate_key, KeyId=key_id, ReplicaRegion=REPLICA) == (
        "KMSInvalidStateException",
        f"{arn} is pending import.",
    )
    # 1. Import into the primary, then replicate.
    material = generate_key_material(SYM)
    id_a = imp(kms, key_id, material, KeyMaterialDescription="A")["KeyMaterialId"]
    ciphertext = kms.encrypt(KeyId=key_id, Plaintext=b"from the primary")["CiphertextBlob"]
    response = kms.replicate_key(
        KeyId=arn,
        ReplicaRegion=REPLICA,
        Description="replica",
        Tags=[{"TagKey": "t", "TagValue": "v"}],
    )
    replica_meta = response["ReplicaKeyMetadata"]
    # The response shows AWS's transient Creating state; creation completes at once.
    assert (replica_meta["KeyState"], replica_meta["Enabled"]) == ("Creating", False)
    assert (replica_meta["KeyId"], replica_meta["Arn"]) == (key_id, replica_arn)
    assert response["ReplicaTags"] == [{"TagKey": "t", "TagValue": "v"}]
    assert eu.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "t", "TagValue": "v"}]

    # 2. The replica: PendingImport, same id, EXTERNAL, REPLICA, no material yet.
    meta = metadata(eu, key_id)
    assert (meta["KeyState"], meta["Enabled"], meta["Origin"]) == (
        "PendingImport",
        False,
        "EXTERNAL",
    )
    assert (meta["KeyId"], meta["Arn"], meta["Description"]) == (key_id, replica_arn, "replica")
    assert meta["MultiRegionConfiguration"] == {
        "MultiRegionKeyType": "REPLICA",
        "PrimaryKey": {"Arn": arn, "Region": PRIMARY},
        "ReplicaKeys": [{"Arn": replica_arn, "Region": REPLICA}],
    }
    assert not {"ExpirationModel", "ValidTo"} & meta.keys()
    # The replica shares the primary's materials (so their ids), none imported yet.
    assert meta["CurrentKeyMaterialId"] == id_a
    assert all_materials(eu, key_id) == [
        {
            "KeyId": key_id,
            "KeyMaterialId": id_a,
            "ImportState": "PENDING_IMPORT",
            "KeyMaterialState": "CURRENT",
        }
    ]
    primary_meta = metadata(kms, key_id)
    assert primary_meta["MultiRegionConfiguration"]["MultiRegionKeyType"] == "PRIMARY"
    assert primary_meta["MultiRegionConfiguration"]["ReplicaKeys"] == [
        {"Arn": replica_arn, "Region": REPLICA}
    ]
    assert aws_error(eu.decrypt, CiphertextBlob=ciphertext) == (
        "KMSInvalidStateException",
        f"{replica_arn} is pending import.",
    )

    # 3. Only the primary's material is accepted; it gets the same id.
    code, _ = aws_error(imp, eu, key_id, generate_key_material(SYM))
    assert code == "IncorrectKeyMaterialException"
    code, _ = aws_error(imp, eu, key_id, generate_key_material(SYM), ImportType=NEW)
    assert code == "UnsupportedOperationException"
    valid_to = kms_import.now().replace(microsecond=0) + dt.timedelta(days=5)
    result = imp(eu, key_id, material, ImportType=EXISTING, ValidTo=valid_to)
    assert (result["KeyId"], result["KeyMaterialId"]) == (replica_arn, id_a)
    meta = metadata(eu, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("Enabled", True)
    assert (meta["ExpirationModel"], meta["ValidTo"]) == ("KEY_MATERIAL_EXPIRES", valid_to)
    assert metadata(kms, key_id)["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"

    # 4. Ciphertexts interoperate across the related keys, not with a look-alike key.
    assert eu.decrypt(CiphertextBlob=ciphertext)["Plaintext"] == b"from the primary"
    back = eu.encrypt(KeyId=key_id, Plaintext=b"from the replica")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=back)["Plaintext"] == b"from the replica"
    lookalike = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    imp(kms, lookalike, material)
    code, _ = aws_error(kms.decrypt, CiphertextBlob=back, KeyId=lookalike)
    assert code in ("IncorrectKeyException", "AccessDeniedException")

    # 5. Expiry and state are per Region.
    kms_import.advance(dt.timedelta(days=6))
    assert key_state(eu, key_id) == "PendingImport"
    assert key_state(kms, key_id) == "Enabled"
    assert material_states(eu, key_id) == [(id_a, "CURRENT", "PENDING_IMPORT")]
    imp(eu, key_id, material, KeyMaterialId=id_a)
    assert key_state(eu, key_id) == "Enabled"
    kms.disable_key(KeyId=key_id)
    assert key_state(eu, key_id) == "Enabled"
    kms.enable_key(KeyId=key_id)
    # Deleting a permanent material of the replica affects only the replica.
    eu.delete_imported_key_material(KeyId=key_id)
    assert (key_state(eu, key_id), key_state(kms, key_id)) == ("PendingImport", "Enabled")
    imp(eu, key_id, material)

    # 6. Replication errors.
    assert aws_error(eu.replicate_key, KeyId=key_id, ReplicaRegion=OTHER) == (
        "UnsupportedOperationException",
        f"{replica_arn} is not a multi-region primary key.",
    )
    for region in (REPLICA, PRIMARY):
        code, _ = aws_error(kms.replicate_key, KeyId=key_id, ReplicaRegion=region)
        assert code == "AlreadyExistsException"
    code, message = aws_error(kms.replicate_key, KeyId=key_id, ReplicaRegion="xx-west-9")
    assert code == "ValidationException" and "xx-west-9" in message
    single = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    imp(kms, single["KeyId"], material)
    assert aws_error(kms.replicate_key, KeyId=single["KeyId"], ReplicaRegion=REPLICA) == (
        "UnsupportedOperationException",
        f"{single['Arn']} is not a multi-region primary key.",
    )
    kms.disable_key(KeyId=key_id)
    assert aws_error(kms.replicate_key, KeyId=key_id, ReplicaRegion=OTHER) == (
        "DisabledException",
        f"{arn} is disabled.",
    )


def test_multi_region_rotation_runbook(clients: dict[str, Any], primary: dict[str, Any]) -> None:
    kms, eu, ap = clients[PRIMARY], clients[REPLICA], clients[OTHER]
    key_id, arn = primary["KeyId"], primary["Arn"]
    material_a, material_b = generate_key_material(SYM), generate_key_material(SYM)
    id_a = imp(kms, key_id, material_a)["KeyMaterialId"]
    for region, client in ((REPLICA, eu), (OTHER, ap)):
        kms.replicate_key(KeyId=key_id, ReplicaRegion=region)
        imp(client, key_id, material_a, ImportType=EXISTING)
    old = kms.encrypt(KeyId=key_id, Plaintext=b"under A")["CiphertextBlob"]

    # 1. NEW on a replica is refused; NEW on the primary waits for every replica.
    code, message = aws_error(imp, eu, key_id, material_b, ImportType=NEW)
    assert code == "UnsupportedOperationException" and arn in message
    id_b = imp(kms, key_id, material_b, ImportType=NEW, KeyMaterialDescription="B")["KeyMaterialId"]
    assert material_states(kms, key_id) == [
        (id_a, "CURRENT", "IMPORTED"),
        (id_b, PENDING_MRK, "IMPORTED"),
    ]
    assert material_states(eu, key_id) == [
        (id_a, "CURRENT", "IMPORTED"),
        (id_b, PENDING_MRK, "PENDING_IMPORT"),
    ]
    for client in (kms, eu, ap):
        meta = metadata(client, key_id)
        assert (meta["KeyState"], meta["CurrentKeyMaterialId"]) == ("Enabled", id_a)
    no_pending = (
        "KMSInvalidStateException",
        f"No available key material pending rotation for the key: {arn}.",
    )
    assert aws_error(kms.rotate_key_on_demand, KeyId=key_id) == no_pending

    # 2. Replicas import the same material (EXISTING); the primary's turns PENDING_ROTATION
    # only once all of them have it.
    code, _ = aws_error(imp, eu, key_id, generate_key_material(SYM), ImportType=EXISTING)
    assert code == "IncorrectKeyMaterialException"
    assert imp(eu, key_id, material_b, ImportType=EXISTING)["KeyMaterialId"] == id_b
    assert material_states(eu, key_id)[1] == (id_b, "PENDING_ROTATION", "IMPORTED")
    assert material_states(kms, key_id)[1] == (id_b, PENDING_MRK, "IMPORTED")
    assert aws_error(kms.rotate_key_on_demand, KeyId=key_id) == no_pending
    imp(ap, key_id, material_b, KeyMaterialId=id_b)
    assert material_states(kms, key_id)[1] == (id_b, "PENDING_ROTATION", "IMPORTED")
    assert all_materials(kms, key_id)[1]["KeyMaterialDescription"] == "B"

    # 3. Rotation is started on the primary only, and rotates every related key.
    code, message = aws_error(eu.rotate_key_on_demand, KeyId=key_id)
    assert code == "UnsupportedOperationException" and arn in message
    assert kms.rotate_key_on_demand(KeyId=key_id)["KeyId"] == arn
    for client in (kms, eu, ap):
        assert metadata(client, key_id)["CurrentKeyMaterialId"] == id_b
        assert material_states(client, key_id) == [
            (id_a, "NON_CURRENT", "IMPORTED"),
            (id_b, "CURRENT", "IMPORTED"),
        ]
        (rotation,) = rotations(client, key_id)
        assert (rotation["KeyMaterialId"], rotation["RotationType"]) == (id_b, "ON_DEMAND")
        # Old ciphertexts decrypt everywhere; new ones use B and travel too.
        assert client.decrypt(CiphertextBlob=old)["Plaintext"] == b"under A"
    new = ap.encrypt(KeyId=key_id, Plaintext=b"under B")["CiphertextBlob"]
    assert eu.decrypt(CiphertextBlob=new)["Plaintext"] == b"under B"


def test_pending_material_deletion_across_regions(
    clients: dict[str, Any], primary: dict[str, Any]
) -> None:
    kms, eu, ap = clients[PRIMARY], clients[REPLICA], clients[OTHER]
    key_id = primary["KeyId"]
    material_a, material_b = generate_key_material(SYM), generate_key_material(SYM)
    id_a = imp(kms, key_id, material_a)["KeyMaterialId"]
    kms.replicate_key(KeyId=key_id, ReplicaRegion=REPLICA)
    imp(eu, key_id, material_a)
    id_b = imp(kms, key_id, material_b, ImportType=NEW)["KeyMaterialId"]
    imp(eu, key_id, material_b)
    assert material_states(kms, key_id)[1] == (id_b, "PENDING_ROTATION", "IMPORTED")

    # Deleting the replica's copy: only the replica changes; the primary waits again.
    eu.delete_imported_key_material(KeyId=key_id, KeyMaterialId=id_b)
    assert key_state(eu, key_id) == "Enabled"
    assert material_states(eu, key_id)[1] == (id_b, PENDING_MRK, "PENDING_IMPORT")
    assert material_states(kms, key_id)[1] == (id_b, PENDING_MRK, "IMPORTED")
    imp(eu, key_id, material_b)
    assert material_states(kms, key_id)[1] == (id_b, "PENDING_ROTATION", "IMPORTED")

    # A replica created while material is pending must import it too.
    kms.replicate_key(KeyId=key_id, ReplicaRegion=OTHER)
    assert material_states(ap, key_id) == [
        (id_a, "CURRENT", "PENDING_IMPORT"),
        (id_b, PENDING_MRK, "PENDING_IMPORT"),
    ]
    assert material_states(kms, key_id)[1] == (id_b, PENDING_MRK, "IMPORTED")
    imp(ap, key_id, material_a)
    assert key_state(ap, key_id) == "Enabled"

    # Deleting the primary's pending material deletes it from every replica.
    kms.delete_imported_key_material(KeyId=key_id, KeyMaterialId=id_b)
    for client in (kms, eu, ap):
        assert material_states(client, key_id) == [(id_a, "CURRENT", "IMPORTED")]
        assert key_state(client, key_id) == "Enabled"
    # ...so different new material can take its place everywhere.
    material_c = generate_key_material(SYM)
    id_c = imp(kms, key_id, material_c, ImportType=NEW)["KeyMaterialId"]
    code, _ = aws_error(imp, eu, key_id, material_b)
    assert code == "IncorrectKeyMaterialException"
    imp(eu, key_id, material_c)
    imp(ap, key_id, material_c)
    kms.rotate_key_on_demand(KeyId=key_id)
    for client in (kms, eu, ap):
        assert metadata(client, key_id)["CurrentKeyMaterialId"] == id_c


def test_late_replica_must_import_every_material(
    clients: dict[str, Any], primary: dict[str, Any]
) -> None:
    kms, eu = clients[PRIMARY], clients[REPLICA]
    key_id = primary["KeyId"]
    material_a, material_b = generate_key_material(SYM), generate_key_material(SYM)
    id_a = imp(kms, key_id, material_a)["KeyMaterialId"]
    id_b = imp(kms, key_id, material_b, ImportType=NEW)["KeyMaterialId"]
    kms.rotate_key_on_demand(KeyId=key_id)
    old = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    kms.replicate_key(KeyId=key_id, ReplicaRegion=REPLICA)
    entries = all_materials(eu, key_id)
    assert [(e["KeyMaterialId"], e["KeyMaterialState"], e["ImportState"]) for e in entries] == [
        (id_a, "NON_CURRENT", "PENDING_IMPORT"),
        (id_b, "CURRENT", "PENDING_IMPORT"),
    ]
    assert entries[1]["RotationType"] == "ON_DEMAND" and "RotationDate" in entries[1]
    imp(eu, key_id, material_b)
    assert key_state(eu, key_id) == "PendingImport"  # A is still missing
    imp(eu, key_id, material_a, KeyMaterialId=id_a)
    assert key_state(eu, key_id) == "Enabled"
    assert eu.decrypt(CiphertextBlob=old)["Plaintext"] == b"x"


def test_primary_pending_material_expiry_leaves_every_region(
    kms_import: Any, clients: dict[str, Any], primary: dict[str, Any]
) -> None:
    kms, eu = clients[PRIMARY], clients[REPLICA]
    key_id = primary["KeyId"]
    material_a, material_b = generate_key_material(SYM), generate_key_material(SYM)
    id_a = imp(kms, key_id, material_a)["KeyMaterialId"]
    kms.replicate_key(KeyId=key_id, ReplicaRegion=REPLICA)
    imp(eu, key_id, material_a)
    imp(kms, key_id, material_b, ImportType=NEW, ValidTo=kms_import.now() + dt.timedelta(days=1))
    imp(eu, key_id, material_b)
    kms_import.advance(dt.timedelta(days=2))
    # Listed in the replica's Region first: the primary's expiry still reaches it.
    assert material_states(eu, key_id) == [(id_a, "CURRENT", "IMPORTED")]
    assert material_states(kms, key_id) == [(id_a, "CURRENT", "IMPORTED")]
    assert (key_state(kms, key_id), key_state(eu, key_id)) == ("Enabled", "Enabled")


@pytest.mark.parametrize(
    ("spec", "usage"), [("HMAC_256", "GENERATE_VERIFY_MAC"), ("ECC_NIST_P256", "SIGN_VERIFY")]
)
def test_replica_of_an_asymmetric_or_hmac_key_takes_only_the_same_material(
    clients: dict[str, Any], spec: str, usage: str
) -> None:
    kms, eu = clients[PRIMARY], clients[REPLICA]
    key_id = kms.create_key(Origin="EXTERNAL", MultiRegion=True, KeySpec=spec, KeyUsage=usage)[
        "KeyMetadata"
    ]["KeyId"]
    material = generate_key_material(spec)
    imp(kms, key_id, material)
    kms.replicate_key(KeyId=key_id, ReplicaRegion=REPLICA)
    assert key_state(eu, key_id) == "PendingImport"
    code, message = aws_error(imp, eu, key_id, generate_key_material(spec))
    assert code == "IncorrectKeyMaterialException"
    assert arn_in(REPLICA, key_id) in message
    assert key_state(eu, key_id) == "PendingImport"
    response = imp(eu, key_id, material)
    assert set(response) - {"ResponseMetadata"} == {"KeyId"}  # no KeyMaterialId for these specs
    assert key_state(eu, key_id) == "Enabled"
    if spec.startswith("HMAC"):
        mac = kms.generate_mac(KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
        assert eu.verify_mac(KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256", Mac=mac)[
            "MacValid"
        ]
    else:
        assert (
            eu.get_public_key(KeyId=key_id)["PublicKey"]
            == kms.get_public_key(KeyId=key_id)["PublicKey"]
        )


def test_replicate_key_refusals_for_aws_kms_keys_are_aws_errors(kms_import: Any) -> None:
    """Found by fuzzing: moto's replicate_key raised AttributeError for a single-Region key and
    KeyError for an alias or an unknown Region (HTTP 500) for keys of origin AWS_KMS."""
    kms = kms_import.client(config=Config(parameter_validation=False))
    plain = kms.create_key()["KeyMetadata"]["KeyId"]
    mrk = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/mrk", TargetKeyId=mrk)
    code, _ = aws_error(kms.replicate_key, KeyId=plain, ReplicaRegion="eu-west-1")
    assert code == "UnsupportedOperationException"
    for region in ("", "zz-nowhere-1"):
        code, _ = aws_error(kms.replicate_key, KeyId=mrk, ReplicaRegion=region)
        assert code == "ValidationException"
    code, _ = aws_error(kms.replicate_key, KeyId="alias/mrk", ReplicaRegion="eu-west-1")
    assert code == "NotFoundException"
    replica = kms.replicate_key(KeyId=mrk, ReplicaRegion="eu-west-1")["ReplicaKeyMetadata"]
    assert replica["Arn"].startswith("arn:aws:kms:eu-west-1:")
