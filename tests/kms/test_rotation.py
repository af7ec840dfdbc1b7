"""Several key materials and on-demand rotation of a single-Region EXTERNAL symmetric key
(spec §1.2, §5.3, §5.4, §6.2, §9), end to end through boto3."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.config import Config

from kms_import_mock import generate_key_material, wrap_key_material
from tests.helpers import aws_error, key_state
from tests.rotation_helpers import (
    DOES_NOT_EXPIRE,
    EXISTING,
    EXPIRES,
    NEW,
    SYM,
    all_materials,
    forget_tokens,
    imp,
    metadata,
    rotations,
)


@pytest.fixture
def kms(kms_import: Any) -> Any:
    forget_tokens()
    return kms_import.client()


@pytest.fixture
def raw_kms(kms_import: Any) -> Any:
    """A client that leaves parameter validation to the server and never retries (botocore
    retries LimitExceededException, sleeping between attempts)."""
    return kms_import.client(
        config=Config(parameter_validation=False, retries={"total_max_attempts": 1})
    )


@pytest.fixture
def key(kms: Any) -> tuple[str, str]:
    meta = kms.create_key(Origin="EXTERNAL", Description="byok")["KeyMetadata"]
    return meta["KeyId"], meta["Arn"]


def test_rotation_runbook(kms_import: Any, kms: Any, key: tuple[str, str]) -> None:
    key_id, arn = key
    # 0. A fresh key: PendingImport, no material fields, nothing to list or rotate.
    meta = metadata(kms, key_id)
    assert (meta["KeyState"], meta["Enabled"], meta["Origin"]) == (
        "PendingImport",
        False,
        "EXTERNAL",
    )
    assert not {"ExpirationModel", "ValidTo", "CurrentKeyMaterialId"} & meta.keys()
    assert rotations(kms, key_id) == []
    assert all_materials(kms, key_id) == []
    assert aws_error(kms.rotate_key_on_demand, KeyId=key_id) == (
        "KMSInvalidStateException",
        f"{arn} is pending import.",
    )

    # 1. First material, ImportType omitted (defaults to NEW): CURRENT at once.
    material_a = generate_key_material(SYM)
    result = imp(kms, key_id, material_a, KeyMaterialDescription="material A")
    id_a = result["KeyMaterialId"]
    assert result["KeyId"] == arn
    assert len(id_a) == 64 and id_a == id_a.lower() and int(id_a, 16) >= 0
    meta = metadata(kms, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("Enabled", True)
    assert meta["ExpirationModel"] == DOES_NOT_EXPIRE and "ValidTo" not in meta
    assert meta["CurrentKeyMaterialId"] == id_a
    entry_a = {
        "KeyId": key_id,
        "KeyMaterialId": id_a,
        "KeyMaterialDescription": "material A",
        "ImportState": "IMPORTED",
        "KeyMaterialState": "CURRENT",
        "ExpirationModel": DOES_NOT_EXPIRE,
    }
    assert all_materials(kms, key_id) == [entry_a]
    assert rotations(kms, key_id) == []  # ROTATIONS_ONLY: the first material is no rotation
    assert rotations(kms, key_id, IncludeKeyMaterial="ROTATIONS_ONLY") == []
    assert aws_error(kms.rotate_key_on_demand, KeyId=key_id) == (
        "KMSInvalidStateException",
        f"No available key material pending rotation for the key: {arn}.",
    )
    old_ciphertext = kms.encrypt(KeyId=key_id, Plaintext=b"under A")["CiphertextBlob"]

    # 2. New material: PENDING_ROTATION; key state, CurrentKeyMaterialId and expiry unchanged.
    material_b = generate_key_material(SYM)
    valid_to_b = kms_import.now().replace(microsecond=0) + dt.timedelta(days=30)
    id_b = imp(kms, key_id, material_b, ImportType=NEW, ValidTo=valid_to_b)["KeyMaterialId"]
    assert id_b != id_a
    meta = metadata(kms, key_id)
    assert meta["KeyState"] == "Enabled"
    assert meta["CurrentKeyMaterialId"] == id_a
    assert meta["ExpirationModel"] == DOES_NOT_EXPIRE and "ValidTo" not in meta
    entry_b = {
        "KeyId": key_id,
        "KeyMaterialId": id_b,
        "ImportState": "IMPORTED",
        "KeyMaterialState": "PENDING_ROTATION",
        "ExpirationModel": EXPIRES,
        "ValidTo": valid_to_b,
    }
    listed = all_materials(kms, key_id)
    listed[1]["ValidTo"] = listed[1]["ValidTo"].astimezone(dt.timezone.utc)
    assert listed == [entry_a, entry_b]
    assert rotations(kms, key_id) == []

    # 3. At most one material pending rotation.
    material_c = generate_key_material(SYM)
    code, message = aws_error(imp, kms, key_id, material_c, ImportType=NEW)
    assert code == "KMSInvalidStateException"
    id_c = message.split("(id: ")[1].split(")")[0]
    assert message == (
        f"New key material (id: {id_c}) cannot be imported into KMS key {arn}, "
        f"because another key material (id: {id_b}) is pending rotation."
    )

    # 4. Rotate: B becomes CURRENT at once, A NON_CURRENT; key fields follow the permanent set.
    before = kms_import.now()
    assert kms.rotate_key_on_demand(KeyId=key_id)["KeyId"] == arn
    meta = metadata(kms, key_id)
    assert meta["CurrentKeyMaterialId"] == id_b
    assert meta["KeyState"] == "Enabled"
    assert meta["ExpirationModel"] == EXPIRES
    assert meta["ValidTo"] == valid_to_b
    listed = all_materials(kms, key_id)
    assert [(e["KeyMaterialId"], e["KeyMaterialState"]) for e in listed] == [
        (id_a, "NON_CURRENT"),
        (id_b, "CURRENT"),
    ]
    assert listed[0] == {**entry_a, "KeyMaterialState": "NON_CURRENT"}
    assert listed[1]["RotationType"] == "ON_DEMAND"
    assert listed[1]["RotationDate"] >= before.replace(microsecond=0) - dt.timedelta(seconds=1)
    assert rotations(kms, key_id) == [listed[1]]  # only materials that became current by rotation

    # 5. Old ciphertexts still decrypt; new ones use B.
    assert kms.decrypt(CiphertextBlob=old_ciphertext)["Plaintext"] == b"under A"
    new_ciphertext = kms.encrypt(KeyId=key_id, Plaintext=b"under B")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=new_ciphertext)["Plaintext"] == b"under B"

    # 6. Retire A: deleting any permanent material makes the whole key PendingImport.
    deleted = kms.delete_imported_key_material(KeyId=key_id, KeyMaterialId=id_a)
    assert (deleted["KeyId"], deleted["KeyMaterialId"]) == (arn, id_a)
    meta = metadata(kms, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("PendingImport", False)
    assert meta["CurrentKeyMaterialId"] == id_b
    assert meta["ExpirationModel"] == EXPIRES and meta["ValidTo"] == valid_to_b
    assert all_materials(kms, key_id)[0] == {
        "KeyId": key_id,
        "KeyMaterialId": id_a,
        "KeyMaterialDescription": "material A",
        "ImportState": "PENDING_IMPORT",
        "KeyMaterialState": "NON_CURRENT",
    }
    for blob in (old_ciphertext, new_ciphertext):
        assert aws_error(kms.decrypt, CiphertextBlob=blob) == (
            "KMSInvalidStateException",
            f"{arn} is pending import.",
        )

    # 7. Reimport A (EXISTING, naming its id; description omitted, so kept).
    result = imp(kms, key_id, material_a, ImportType=EXISTING, KeyMaterialId=id_a)
    assert result["KeyMaterialId"] == id_a
    assert key_state(kms, key_id) == "Enabled"
    assert all_materials(kms, key_id)[0] == {**entry_a, "KeyMaterialState": "NON_CURRENT"}
    assert kms.decrypt(CiphertextBlob=old_ciphertext)["Plaintext"] == b"under A"
    assert kms.decrypt(CiphertextBlob=new_ciphertext)["Plaintext"] == b"under B"


def test_import_type_and_material_id_rules(kms: Any, key: tuple[str, str]) -> None:
    key_id, arn = key
    material_a, material_b = generate_key_material(SYM), generate_key_material(SYM)
    # EXISTING before anything was imported: nothing is associated.
    code, _ = aws_error(imp, kms, key_id, material_a, ImportType=EXISTING)
    assert code == "IncorrectKeyMaterialException"
    # KeyMaterialId is refused with NEW, given or defaulted.
    some_id = "a" * 64
    assert aws_error(imp, kms, key_id, material_a, KeyMaterialId=some_id)[0] == (
        "ValidationException"
    )
    assert aws_error(imp, kms, key_id, material_a, ImportType=NEW, KeyMaterialId=some_id)[0] == (
        "ValidationException"
    )
    assert key_state(kms, key_id) == "PendingImport"
    id_a = imp(kms, key_id, material_a, ImportType=NEW, KeyMaterialDescription="A")["KeyMaterialId"]
    # Omitted ImportType after the first import means EXISTING: other material is refused.
    assert aws_error(imp, kms, key_id, material_b)[0] == "IncorrectKeyMaterialException"
    assert aws_error(imp, kms, key_id, material_b, ImportType=EXISTING)[0] == (
        "IncorrectKeyMaterialException"
    )
    # NEW with the material already associated.
    assert aws_error(imp, kms, key_id, material_a, ImportType=NEW)[0] == (
        "IncorrectKeyMaterialException"
    )
    # EXISTING with a KeyMaterialId that is not the material's.
    assert aws_error(imp, kms, key_id, material_a, ImportType=EXISTING, KeyMaterialId=some_id)[
        0
    ] == ("IncorrectKeyMaterialException")
    # KeyMaterialId and KeyMaterialDescription patterns (boto3 itself checks the lengths).
    for bad_id in ("A" * 64, "g" * 64):
        code, message = aws_error(imp, kms, key_id, material_a, KeyMaterialId=bad_id)
        assert code == "ValidationException" and "keyMaterialId" in message
    for bad_description in ("semi;colon", ""):
        code, message = aws_error(
            imp, kms, key_id, material_a, KeyMaterialDescription=bad_description
        )
        assert code == "ValidationException" and "keyMaterialDescription" in message
    # Reimport without description keeps it; with one replaces it. The id is deterministic.
    assert imp(kms, key_id, material_a)["KeyMaterialId"] == id_a
    assert all_materials(kms, key_id)[0]["KeyMaterialDescription"] == "A"
    assert imp(kms, key_id, material_a, KeyMaterialDescription="A v2")["KeyMaterialId"] == id_a
    assert all_materials(kms, key_id)[0]["KeyMaterialDescription"] == "A v2"
    # The same material in another key gets another id.
    other = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    assert imp(kms, other, material_a)["KeyMaterialId"] != id_a
    assert arn.endswith(key_id)


def test_pending_material_never_affects_the_key(
    kms_import: Any, kms: Any, key: tuple[str, str]
) -> None:
    key_id, arn = key
    valid_to_a = kms_import.now().replace(microsecond=0) + dt.timedelta(days=100)
    id_a = imp(kms, key_id, generate_key_material(SYM), ValidTo=valid_to_a)["KeyMaterialId"]
    # B pending, expiring before A: ValidTo of the key stays A's.
    material_b = generate_key_material(SYM)
    valid_to_b = kms_import.now().replace(microsecond=0) + dt.timedelta(days=10)
    id_b = imp(kms, key_id, material_b, ImportType=NEW, ValidTo=valid_to_b)["KeyMaterialId"]
    meta = metadata(kms, key_id)
    assert (meta["ExpirationModel"], meta["ValidTo"]) == (EXPIRES, valid_to_a)
    # B expires: it is no longer associated; the key is untouched.
    kms_import.advance(dt.timedelta(days=11))
    meta = metadata(kms, key_id)
    assert meta["KeyState"] == "Enabled" and meta["ValidTo"] == valid_to_a
    assert [e["KeyMaterialId"] for e in all_materials(kms, key_id)] == [id_a]
    # ...so different new material may take its place, and be deleted again without effect.
    id_c = imp(kms, key_id, generate_key_material(SYM), ImportType=NEW)["KeyMaterialId"]
    deleted = kms.delete_imported_key_material(KeyId=key_id, KeyMaterialId=id_c)
    assert deleted["KeyMaterialId"] == id_c
    assert key_state(kms, key_id) == "Enabled"
    assert [e["KeyMaterialId"] for e in all_materials(kms, key_id)] == [id_a]
    # B itself may come back as new material, since it is no longer associated.
    assert imp(kms, key_id, material_b, ImportType=NEW)["KeyMaterialId"] == id_b
    assert aws_error(kms.delete_imported_key_material, KeyId=key_id, KeyMaterialId="0" * 64) == (
        "NotFoundException",
        f"Key material {'0' * 64} is not associated with {arn}.",
    )
    # The current material expires: the whole key is PendingImport; the fields go with it.
    kms_import.advance(dt.timedelta(days=90))
    meta = metadata(kms, key_id)
    assert meta["KeyState"] == "PendingImport"
    assert not {"ExpirationModel", "ValidTo"} & meta.keys()
    assert meta["CurrentKeyMaterialId"] == id_a
    states = [(e["KeyMaterialState"], e["ImportState"]) for e in all_materials(kms, key_id)]
    assert states == [("CURRENT", "PENDING_IMPORT"), ("PENDING_ROTATION", "IMPORTED")]
    # Rotating a key whose material is missing is refused.
    assert aws_error(kms.rotate_key_on_demand, KeyId=key_id) == (
        "KMSInvalidStateException",
        f"{arn} is pending import.",
    )


def test_delete_without_key_material_id_deletes_the_current_material(
    kms: Any, key: tuple[str, str]
) -> None:
    key_id, arn = key
    # Nothing imported yet: no effect.
    deleted = kms.delete_imported_key_material(KeyId=key_id)
    assert deleted["KeyId"] == arn and "KeyMaterialId" not in deleted
    assert key_state(kms, key_id) == "PendingImport"
    material_a, material_b = generate_key_material(SYM), generate_key_material(SYM)
    id_a = imp(kms, key_id, material_a)["KeyMaterialId"]
    id_b = imp(kms, key_id, material_b, ImportType=NEW)["KeyMaterialId"]
    kms.rotate_key_on_demand(KeyId=key_id)
    assert kms.delete_imported_key_material(KeyId=key_id)["KeyMaterialId"] == id_b
    assert key_state(kms, key_id) == "PendingImport"
    # Deleting again: no effect, same answer.
    assert kms.delete_imported_key_material(KeyId=key_id)["KeyMaterialId"] == id_b
    entries = all_materials(kms, key_id)
    assert [(e["KeyMaterialId"], e["ImportState"]) for e in entries] == [
        (id_a, "IMPORTED"),
        (id_b, "PENDING_IMPORT"),
    ]
    assert "ExpirationModel" not in entries[1] and entries[1]["RotationType"] == "ON_DEMAND"
    # New material while PendingImport is accepted but does not count toward the key state.
    id_c = imp(kms, key_id, generate_key_material(SYM), ImportType=NEW)["KeyMaterialId"]
    assert key_state(kms, key_id) == "PendingImport"
    # Reimport B without ImportType (EXISTING): Enabled again.
    imp(kms, key_id, material_b)
    assert key_state(kms, key_id) == "Enabled"
    # A disabled key goes to PendingImport when a permanent material goes, not for pending one.
    kms.disable_key(KeyId=key_id)
    kms.delete_imported_key_material(KeyId=key_id, KeyMaterialId=id_c)
    assert key_state(kms, key_id) == "Disabled"
    kms.delete_imported_key_material(KeyId=key_id, KeyMaterialId=id_a)
    assert key_state(kms, key_id) == "PendingImport"
    # In PendingDeletion the state stays.
    imp(kms, key_id, material_a)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms.delete_imported_key_material(KeyId=key_id)
    assert key_state(kms, key_id) == "PendingDeletion"


def test_rotate_key_on_demand_errors(kms_import: Any, kms: Any, key: tuple[str, str]) -> None:
    key_id, arn = key
    imp(kms, key_id, generate_key_material(SYM))
    imp(kms, key_id, generate_key_material(SYM), ImportType=NEW)
    kms.disable_key(KeyId=key_id)
    assert aws_error(kms.rotate_key_on_demand, KeyId=key_id) == (
        "DisabledException",
        f"{arn} is disabled.",
    )
    kms.enable_key(KeyId=key_id)
    missing = key_id[:-4] + "0000" if not key_id.endswith("0000") else key_id[:-4] + "1111"
    assert aws_error(kms.rotate_key_on_demand, KeyId=missing) == (
        "NotFoundException",
        f"Key '{arn[: -len(key_id)]}{missing}' does not exist",
    )
    # HMAC key: disabled is checked before the key spec; then the empty message.
    hmac_arn = kms.create_key(
        Origin="EXTERNAL", KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC"
    )["KeyMetadata"]["Arn"]
    imp(kms, hmac_arn, generate_key_material("HMAC_256"))
    kms.disable_key(KeyId=hmac_arn)
    assert aws_error(kms.rotate_key_on_demand, KeyId=hmac_arn) == (
        "DisabledException",
        f"{hmac_arn} is disabled.",
    )
    kms.enable_key(KeyId=hmac_arn)
    assert aws_error(kms.rotate_key_on_demand, KeyId=hmac_arn) == (
        "UnsupportedOperationException",
        "",
    )
    # A non-symmetric key lists no rotations, and refuses IncludeKeyMaterial.
    assert rotations(kms, hmac_arn) == []
    code, _ = aws_error(kms.list_key_rotations, KeyId=hmac_arn, IncludeKeyMaterial="ROTATIONS_ONLY")
    assert code == "UnsupportedOperationException"
    # Pending deletion.
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert aws_error(kms.rotate_key_on_demand, KeyId=key_id) == (
        "KMSInvalidStateException",
        f"{arn} is pending deletion.",
    )


def test_on_demand_rotation_quota(kms: Any, raw_kms: Any, key: tuple[str, str]) -> None:
    key_id, arn = key
    imp(kms, key_id, generate_key_material(SYM))
    for _ in range(25):
        imp(kms, key_id, generate_key_material(SYM), ImportType=NEW)
        kms.rotate_key_on_demand(KeyId=key_id)
    imp(kms, key_id, generate_key_material(SYM), ImportType=NEW)
    assert aws_error(raw_kms.rotate_key_on_demand, KeyId=key_id) == (
        "LimitExceededException",
        "The on-demand rotations limit has been reached for the given keyId. "
        f"No more on-demand rotations can be performed for this key: {arn}",
    )
    assert len(rotations(kms, key_id)) == 25
    assert len(all_materials(kms, key_id)) == 27


def test_list_key_rotations_paging_and_validation(
    kms: Any, raw_kms: Any, key: tuple[str, str]
) -> None:
    key_id, arn = key
    imp(kms, key_id, generate_key_material(SYM))
    for _ in range(3):
        imp(kms, key_id, generate_key_material(SYM), ImportType=NEW)
        kms.rotate_key_on_demand(KeyId=key_id)
    imp(kms, key_id, generate_key_material(SYM), ImportType=NEW)
    everything = all_materials(kms, key_id)
    assert len(everything) == 5
    assert [e["KeyMaterialState"] for e in everything] == [
        "NON_CURRENT",
        "NON_CURRENT",
        "NON_CURRENT",
        "CURRENT",
        "PENDING_ROTATION",
    ]
    pages, marker = [], None
    while True:
        extra = {"Marker": marker} if marker else {}
        page = kms.list_key_rotations(
            KeyId=arn, IncludeKeyMaterial="ALL_KEY_MATERIAL", Limit=2, **extra
        )
        pages.append(page["Rotations"])
        assert page["Truncated"] == ("NextMarker" in page)
        if not page["Truncated"]:
            break
        marker = page["NextMarker"]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [e for p in pages for e in p] == everything
    # ROTATIONS_ONLY pages the same way.
    page = kms.list_key_rotations(KeyId=key_id, Limit=2)
    assert page["Truncated"] is True and len(page["Rotations"]) == 2
    rest = kms.list_key_rotations(KeyId=key_id, Limit=2, Marker=page["NextMarker"])
    assert rest["Truncated"] is False and "NextMarker" not in rest
    assert len(rest["Rotations"]) == 1
    # Validation.
    for limit, constraint in (
        (0, "Member must have value greater than or equal to 1"),
        (1001, "Member must have value less than or equal to 1000"),
    ):
        assert aws_error(raw_kms.list_key_rotations, KeyId=key_id, Limit=limit) == (
            "ValidationException",
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            f"constraint: {constraint}",
        )
    code, _ = aws_error(kms.list_key_rotations, KeyId=key_id, Marker="not-a-marker")
    assert code == "InvalidMarkerException"
    for bad_marker in ("", "x" * 1025):
        code, message = aws_error(raw_kms.list_key_rotations, KeyId=key_id, Marker=bad_marker)
        assert code == "ValidationException" and "'marker'" in message
    code, message = aws_error(raw_kms.list_key_rotations, KeyId=key_id, IncludeKeyMaterial="SOME")
    assert code == "ValidationException" and "'includeKeyMaterial'" in message


def test_aws_kms_keys_keep_motos_rotation(kms: Any, raw_kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    ciphertext = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    assert kms.rotate_key_on_demand(KeyId=key_id)["KeyId"] == key_id
    listed = rotations(kms, key_id)
    assert len(listed) == 1 and listed[0]["RotationType"] == "ON_DEMAND"
    assert kms.decrypt(CiphertextBlob=ciphertext)["Plaintext"] == b"x"
    assert aws_error(raw_kms.list_key_rotations, KeyId=key_id, Limit=0)[0] == "ValidationException"


def test_on_key_rotated_hook(kms_import: Any, kms: Any, key: tuple[str, str]) -> None:
    from moto.kms.models import kms_backends

    key_id, _ = key
    backend = kms_backends["123456789012"]["us-east-1"]
    seen: list[tuple[str, str, str]] = []
    backend.on_key_rotated = lambda k, prev, cur: seen.append((k.id, prev, cur))  # type: ignore[method-assign]
    id_a = imp(kms, key_id, generate_key_material(SYM))["KeyMaterialId"]
    id_b = imp(kms, key_id, generate_key_material(SYM), ImportType=NEW)["KeyMaterialId"]
    kms.rotate_key_on_demand(KeyId=key_id)
    assert seen == [(key_id, id_a, id_b)]


def test_expiry_of_a_non_current_material_puts_the_key_in_pending_import(
    kms_import: Any, kms: Any, key: tuple[str, str]
) -> None:
    key_id, arn = key
    first = generate_key_material()
    imp(kms, key_id, first, ValidTo=kms_import.now() + dt.timedelta(days=2))
    imp(kms, key_id, generate_key_material(), ImportType=NEW)
    kms.rotate_key_on_demand(KeyId=key_id)  # the first material is NON_CURRENT now
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"under the current material")["CiphertextBlob"]
    kms_import.advance(dt.timedelta(days=3))
    assert key_state(kms, key_id) == "PendingImport"
    # Even ciphertexts of the current material are refused until the expired one is back.
    assert aws_error(kms.decrypt, CiphertextBlob=blob) == (
        "KMSInvalidStateException",
        f"{arn} is pending import.",
    )
    states = {m["KeyMaterialState"]: m["ImportState"] for m in all_materials(kms, key_id)}
    assert states == {"NON_CURRENT": "PENDING_IMPORT", "CURRENT": "IMPORTED"}
    imp(kms, key_id, first, ImportType=EXISTING)
    assert key_state(kms, key_id) == "Enabled"
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"under the current material"


def test_key_material_description_is_validated_by_the_server(
    raw_kms: Any, kms: Any, key: tuple[str, str]
) -> None:
    key_id, _ = key
    params = raw_kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    blob = wrap_key_material(params["PublicKey"], generate_key_material(), "RSAES_OAEP_SHA_256")
    for description, constraint in (
        ("d" * 257, "Member must have length less than or equal to 256"),
        ("semi;colon", "Member must satisfy regular expression pattern"),
    ):
        code, message = aws_error(
            raw_kms.import_key_material,
            KeyId=key_id,
            ImportToken=params["ImportToken"],
            EncryptedKeyMaterial=blob,
            ExpirationModel=DOES_NOT_EXPIRE,
            KeyMaterialDescription=description,
        )
        assert code == "ValidationException"
        assert "keyMaterialDescription" in message and constraint in message
    assert key_state(kms, key_id) == "PendingImport"
    raw_kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=blob,
        ExpirationModel=DOES_NOT_EXPIRE,
        KeyMaterialDescription="d" * 256,
    )
    assert all_materials(kms, key_id)[0]["KeyMaterialDescription"] == "d" * 256


def test_list_key_rotations_of_an_aws_kms_key_refuses_a_foreign_marker(kms: Any) -> None:
    """Found by fuzzing: moto's paginator answered the non-KMS code ``InvalidToken``."""
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    code, _ = aws_error(kms.list_key_rotations, KeyId=key_id, Marker="1")
    assert code == "InvalidMarkerException"
    kms.rotate_key_on_demand(KeyId=key_id)
    kms.rotate_key_on_demand(KeyId=key_id)
    first = kms.list_key_rotations(KeyId=key_id, Limit=1)
    assert first["Truncated"]
    rest = kms.list_key_rotations(KeyId=key_id, Marker=first["NextMarker"])
    assert len(rest["Rotations"]) == 1
