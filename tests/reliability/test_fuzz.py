"""Fuzzing the operations this project adds or changes, through boto3 in-process (issue 8 §1).

Invariants for every generated request: success, or HTTP 400 with a known AWS error code and a
readable message; a refused request leaves keys, states, materials (and events, when the backend
records them) unchanged, and the import token of the key still works afterwards. Client-side
validation is off, so lengths, enums and empty blobs reach the mock's own parser.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fuzz_world import (
    EXPIRATION_MODELS,
    IMPORT_TYPES,
    KEY_SPECS,
    KEY_USAGES,
    ExternalKey,
    World,
    enum_or_garbage,
    garbage_text,
    hex64,
    material_variants,
    mutated,
    random_wrapping,
)
from hypothesis import given
from hypothesis import strategies as st
from reliability_support import (
    CLOUDTRAIL_CODES,
    COUNTS,
    KNOWN_CODES,
    backend,
    check_error,
    fuzz_settings,
    snapshot,
)

from kms_import_mock import mock_kms_import
from kms_import_mock.crypto.keyspecs import wrapping_allowed


@pytest.fixture
def world() -> Iterator[World]:
    with mock_kms_import() as mock:
        yield World(mock)


def call(
    fn: Any, known: frozenset[str] = KNOWN_CODES, **kwargs: Any
) -> tuple[dict[str, Any] | None, tuple[str, str] | None]:
    """(response, None) or (None, (code, message)) after checking the refusal invariant."""
    try:
        return fn(**{k: v for k, v in kwargs.items() if v is not None}), None
    except ClientError as exc:
        err = exc.response["Error"]
        code, message = err.get("Code", ""), err.get("Message", "")
        status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
        check_error(code, message, status, sent=list(_strings(kwargs)), known=known)
        return None, (code, message)


def _strings(value: Any) -> Iterator[str]:
    """Every string in a request's (nested) values: AWS may echo any of them."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def token_still_works(world: World, key: ExternalKey) -> None:
    """The key's token still passes the token check: the import succeeds, or is refused only
    for the material itself (checked after the token), e.g. when other material came first."""
    for material in (key.material, key.other_material):
        try:
            world.strict.import_key_material(
                KeyId=key.key_id,
                ImportToken=key.token,
                EncryptedKeyMaterial=world.wrap(key, material),
                ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
            )
            return
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "IncorrectKeyMaterialException", exc


def test_fuzz_import_key_material(world: World) -> None:
    keys = st.sampled_from(world.externals)

    @fuzz_settings(1.5)
    @given(data=st.data(), key=keys)
    def run(data: st.DataObject, key: ExternalKey) -> None:
        COUNTS["ImportKeyMaterial"] += 1
        be = backend()
        other = data.draw(st.sampled_from([k for k in world.externals if k is not key]))
        key_id = data.draw(st.one_of(st.just(key.key_id), st.just(key.arn), world.key_ids()))
        token_kind, token = data.draw(
            st.one_of(
                st.just(("valid", key.token)),
                st.just(("other_key", other.token)),
                mutated(key.token),
                st.just(("empty", b"")),
            )
        )
        blob_kind, blob = data.draw(material_variants(world, key))
        model = data.draw(st.one_of(st.none(), enum_or_garbage(EXPIRATION_MODELS)))
        valid_to = data.draw(world.valid_to())
        import_type = data.draw(st.one_of(st.none(), enum_or_garbage(IMPORT_TYPES)))
        material_id = data.draw(
            st.one_of(st.none(), st.none(), hex64, st.just(key.material_id), garbage_text)
        )
        description = data.draw(st.one_of(st.none(), garbage_text, st.just("ok desc-1")))
        before = snapshot(be)
        response, error = call(
            world.kms.import_key_material,
            KeyId=key_id,
            ImportToken=token,
            EncryptedKeyMaterial=blob,
            ExpirationModel=model,
            ValidTo=valid_to,
            ImportType=import_type,
            KeyMaterialId=material_id,
            KeyMaterialDescription=description,
        )
        if error is None:
            assert response is not None
            assert token_kind == "valid", (token_kind, response)
            assert blob_kind in ("correct", "other_material", "bad_size"), blob_kind
            assert key_id in (key.key_id, key.arn)
            assert response["KeyId"] == key.arn
        else:
            assert snapshot(be) == before, error
            token_still_works(world, key)
            if key_id in (key.key_id, key.arn) and token_kind not in ("valid", "other_key"):
                # The token is checked before the material: a tampered token is never "fixed" by
                # a good blob, and is refused as such when the request is otherwise well-formed.
                assert error[0] in (
                    "InvalidImportTokenException",
                    "ValidationException",
                    "KMSInvalidStateException",
                ), error

    run()


def test_fuzz_get_parameters_for_import(world: World) -> None:
    @fuzz_settings()
    @given(key_id=world.key_ids(), wrapping=random_wrapping())
    def run(key_id: str, wrapping: tuple[str, str]) -> None:
        COUNTS["GetParametersForImport"] += 1
        be = backend()
        algorithm, wrapping_key_spec = wrapping
        before = snapshot(be)
        response, error = call(
            world.kms.get_parameters_for_import,
            KeyId=key_id,
            WrappingAlgorithm=algorithm,
            WrappingKeySpec=wrapping_key_spec,
        )
        assert snapshot(be) == before  # GetParametersForImport never changes key state
        if error is not None:
            return
        assert response is not None
        key = next(k for k in world.externals if key_id in (k.key_id, k.arn))
        assert wrapping_allowed(key.spec, algorithm, wrapping_key_spec)
        assert response["KeyId"] == key.arn
        assert response["ParametersValidTo"] > world.mock.now()

    run()


def test_fuzz_delete_imported_key_material(world: World) -> None:
    @fuzz_settings()
    @given(data=st.data(), key=st.sampled_from(world.externals))
    def run(data: st.DataObject, key: ExternalKey) -> None:
        COUNTS["DeleteImportedKeyMaterial"] += 1
        be = backend()
        key_id = data.draw(st.one_of(st.just(key.key_id), world.key_ids()))
        material_id = data.draw(st.one_of(st.none(), st.just(key.material_id), hex64, garbage_text))
        before = snapshot(be)
        response, error = call(
            world.kms.delete_imported_key_material, KeyId=key_id, KeyMaterialId=material_id
        )
        if error is not None:
            assert snapshot(be) == before, error
        else:
            assert response is not None
            assert key_id in {k.key_id for k in world.externals} | {k.arn for k in world.externals}
        # Put the material back so later examples see imported keys again.
        if key is not world.pending:
            token_still_works(world, key)

    run()


def test_fuzz_encrypt_decrypt(world: World) -> None:
    sym = world.sym
    context = st.dictionaries(
        st.text(min_size=1, max_size=20), st.text(min_size=0, max_size=40), max_size=3
    )

    @fuzz_settings()
    @given(
        data=st.data(),
        plaintext=st.binary(min_size=0, max_size=4200),
        ctx=context,
    )
    def run(data: st.DataObject, plaintext: bytes, ctx: dict[str, str]) -> None:
        COUNTS["Encrypt/Decrypt"] += 1
        be = backend()
        key_id = data.draw(
            st.one_of(st.just(sym.key_id), st.just("alias/fuzz-sym"), world.key_ids())
        )
        before = snapshot(be)
        response, error = call(
            world.kms.encrypt, KeyId=key_id, Plaintext=plaintext, EncryptionContext=ctx or None
        )
        if error is not None:
            assert snapshot(be) == before, error
            return
        assert response is not None
        blob = response["CiphertextBlob"]
        kind, altered = data.draw(st.one_of(st.just(("same", blob)), mutated(blob)))
        wrong_ctx = data.draw(st.booleans())
        use_ctx = dict(ctx, extra="x") if wrong_ctx else ctx
        out, error = call(
            world.kms.decrypt,
            CiphertextBlob=altered,
            EncryptionContext=use_ctx or None,
            KeyId=data.draw(st.one_of(st.none(), st.just(response["KeyId"]), world.key_ids())),
        )
        assert snapshot(be) == before
        if error is None:
            assert out is not None
            assert altered == blob and not wrong_ctx, (kind, out)
            assert out["Plaintext"] == plaintext

    run()


def test_fuzz_describe_and_create_key(world: World) -> None:
    @fuzz_settings()
    @given(
        key_id=world.key_ids(),
        spec=st.one_of(st.none(), enum_or_garbage(KEY_SPECS)),
        usage=st.one_of(st.none(), enum_or_garbage(KEY_USAGES)),
        description=st.one_of(st.none(), st.text(max_size=300), garbage_text),
        origin=st.one_of(st.just("EXTERNAL"), enum_or_garbage(("EXTERNAL", "AWS_KMS"))),
    )
    def run(
        key_id: str, spec: str | None, usage: str | None, description: str | None, origin: str
    ) -> None:
        COUNTS["DescribeKey/CreateKey"] += 1
        be = backend()
        before = snapshot(be)
        response, error = call(world.kms.describe_key, KeyId=key_id)
        assert snapshot(be) == before
        if response is not None:
            meta = response["KeyMetadata"]
            if meta["Origin"] == "EXTERNAL" and meta["KeyState"] == "PendingImport":
                assert "ValidTo" not in meta
        created, error = call(
            world.kms.create_key,
            KeySpec=spec,
            KeyUsage=usage,
            Description=description,
            Origin=origin,
        )
        if error is not None:
            assert snapshot(be)["keys"] == before["keys"], error
            return
        assert created is not None
        meta = created["KeyMetadata"]
        if origin == "EXTERNAL":
            assert meta["KeyState"] == "PendingImport"
            assert meta["Enabled"] is False
            assert "ExpirationModel" not in meta
        assert meta["Description"] == (description or "")
        assert (
            world.strict.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyId"] == meta["KeyId"]
        )

    run()


def test_fuzz_expiry_lifecycle(world: World) -> None:
    """Random ValidTo values and clock moves: state always follows the earliest ValidTo."""
    key = world.sym

    @fuzz_settings(0.5)
    @given(days=st.floats(0.001, 365), step=st.floats(0, 400))
    def run(days: float, step: float) -> None:
        COUNTS["expiry lifecycle"] += 1
        valid_to = world.mock.now() + dt.timedelta(days=days)
        world.refresh_token(key)
        world.strict.import_key_material(
            KeyId=key.key_id,
            ImportToken=key.token,
            EncryptedKeyMaterial=world.wrap(key, key.material),
            ValidTo=valid_to,
        )
        world.mock.advance(dt.timedelta(days=step))
        meta = world.strict.describe_key(KeyId=key.key_id)["KeyMetadata"]
        if world.mock.now() >= valid_to:
            assert meta["KeyState"] == "PendingImport"
            assert "ValidTo" not in meta
        else:
            assert meta["KeyState"] == "Enabled"
            assert abs(meta["ValidTo"].timestamp() - valid_to.timestamp()) < 1

    run()


# -- the operations beyond import ------------------------------------------------------------

_PEER_PUBLIC = (
    ec.generate_private_key(ec.SECP256R1())
    .public_key()
    .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
)
SIGNING_ALGORITHMS = (
    "RSASSA_PSS_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "ECDSA_SHA_256",
    "ECDSA_SHA_384",
    "ED25519_SHA_512",
)
MAC_ALGORITHMS = ("HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512")
ENCRYPTION_ALGORITHMS = ("SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")
REGIONS = ("eu-west-1", "us-west-2", "us-east-1", "ap-southeast-2")
small_ints = st.one_of(st.none(), st.integers(-3, 1200), st.sampled_from([0, 2**31, "7"]))


def restore(world: World) -> None:
    """Undo what a successful lifecycle call did, so later examples see usable keys again."""
    for key_id in [k.key_id for k in world.all_externals] + [world.aws_kms_id]:
        state = world.strict.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
        if state == "PendingDeletion":
            world.strict.cancel_key_deletion(KeyId=key_id)
            state = world.strict.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
        if state == "Disabled":
            world.strict.enable_key(KeyId=key_id)


def test_fuzz_key_lifecycle_and_rotation(world: World) -> None:
    """EnableKey, DisableKey, (Cancel/Schedule)KeyDeletion, rotation and ReplicateKey on EXTERNAL
    keys of every spec (and plain ones): refused requests change nothing."""
    keys = world.key_ids(world.all_externals)

    def arguments(op: str, data: st.DataObject) -> dict[str, Any]:
        if op == "ScheduleKeyDeletion":
            return {"PendingWindowInDays": data.draw(small_ints)}
        if op == "EnableKeyRotation":
            return {"RotationPeriodInDays": data.draw(small_ints)}
        if op == "ListKeyRotations":
            return {
                "Limit": data.draw(small_ints),
                "Marker": data.draw(st.one_of(st.none(), st.just("1"), garbage_text)),
                "IncludeKeyMaterial": data.draw(
                    st.one_of(st.none(), enum_or_garbage(("ALL_KEY_MATERIAL", "ROTATIONS_ONLY")))
                ),
            }
        if op == "ReplicateKey":
            return {
                "ReplicaRegion": data.draw(st.one_of(st.sampled_from(REGIONS), garbage_text)),
                "Description": data.draw(st.one_of(st.none(), garbage_text)),
            }
        return {}

    operations = (
        "EnableKey",
        "DisableKey",
        "ScheduleKeyDeletion",
        "CancelKeyDeletion",
        "EnableKeyRotation",
        "GetKeyRotationStatus",
        "RotateKeyOnDemand",
        "ListKeyRotations",
        "ReplicateKey",
    )

    @fuzz_settings()
    @given(data=st.data(), op=st.sampled_from(operations), stage=st.booleans())
    def run(data: st.DataObject, op: str, stage: bool) -> None:
        COUNTS[op] += 1
        be = backend()
        key_id = data.draw(keys)
        if stage and op == "RotateKeyOnDemand":
            # New material staged for rotation, so the success path runs too.
            key = data.draw(st.sampled_from([world.sym, world.mrk]))
            key_id = key.key_id
            world.refresh_token(key)
            call(
                world.kms.import_key_material,
                KeyId=key.key_id,
                ImportToken=key.token,
                EncryptedKeyMaterial=world.wrap(key, key.other_material),
                ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
                ImportType="NEW_KEY_MATERIAL",
            )
        method = getattr(world.kms, _snake(op))
        before = snapshot(be)
        response, error = call(method, KeyId=key_id, **arguments(op, data))
        if error is not None:
            assert snapshot(be) == before, (op, error)
        elif op in ("GetKeyRotationStatus", "ListKeyRotations"):
            assert snapshot(be) == before, op
        restore(world)

    run()


def _snake(operation: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


def test_fuzz_sign_verify_mac_public_key_and_agreement(world: World) -> None:
    """Sign, Verify, GenerateMac, VerifyMac, GetPublicKey and DeriveSharedSecret served from
    imported material: a signature or MAC verifies only unchanged, refusals change nothing."""
    keys = world.key_ids(world.all_externals)
    messages = st.one_of(st.binary(min_size=0, max_size=5000), st.sampled_from([b"m", b"\0" * 32]))
    message_types = st.one_of(st.none(), enum_or_garbage(("RAW", "DIGEST", "EXTERNAL_MU")))

    @fuzz_settings()
    @given(
        data=st.data(),
        op=st.sampled_from(("Sign", "GenerateMac", "GetPublicKey", "DeriveSharedSecret")),
    )
    def run(data: st.DataObject, op: str) -> None:
        be = backend()
        key_id = data.draw(keys)
        before = snapshot(be)
        if op == "Sign":
            COUNTS["Sign/Verify"] += 1
            args = {
                "Message": data.draw(messages),
                "MessageType": data.draw(message_types),
                "SigningAlgorithm": data.draw(enum_or_garbage(SIGNING_ALGORITHMS)),
            }
            response, error = call(world.kms.sign, KeyId=key_id, **args)
            if response is not None:
                signature = response["Signature"]
                kind, altered = data.draw(
                    st.one_of(st.just(("same", signature)), mutated(signature))
                )
                checked, verify_error = call(
                    world.kms.verify, KeyId=key_id, Signature=altered, **args
                )
                if checked is not None:
                    assert altered == signature and checked["SignatureValid"], kind
                else:
                    assert altered != signature, verify_error
            else:
                # Verify with the same garbage is refused too, and changes nothing.
                call(world.kms.verify, KeyId=key_id, Signature=data.draw(st.binary()), **args)
        elif op == "GenerateMac":
            COUNTS["GenerateMac/VerifyMac"] += 1
            args = {
                "Message": data.draw(messages),
                "MacAlgorithm": data.draw(enum_or_garbage(MAC_ALGORITHMS)),
            }
            response, error = call(world.kms.generate_mac, KeyId=key_id, **args)
            if response is not None:
                mac = response["Mac"]
                kind, altered = data.draw(st.one_of(st.just(("same", mac)), mutated(mac)))
                checked, verify_error = call(
                    world.kms.verify_mac, KeyId=key_id, Mac=altered, **args
                )
                if checked is not None:
                    assert altered == mac and checked["MacValid"], kind
                else:
                    assert altered != mac, verify_error
            else:
                call(world.kms.verify_mac, KeyId=key_id, Mac=data.draw(st.binary()), **args)
        elif op == "GetPublicKey":
            COUNTS["GetPublicKey"] += 1
            response, error = call(world.kms.get_public_key, KeyId=key_id)
            if response is not None:
                assert response["KeySpec"] not in ("SYMMETRIC_DEFAULT", "HMAC_256"), response
        else:
            COUNTS["DeriveSharedSecret"] += 1
            _, public = data.draw(
                st.one_of(
                    st.just(("peer", _PEER_PUBLIC)),
                    mutated(_PEER_PUBLIC),
                    st.just(("own", world.ecdh.public_key)),
                )
            )
            response, error = call(
                world.kms.derive_shared_secret,
                KeyId=data.draw(st.one_of(st.just(world.ecdh.key_id), keys)),
                KeyAgreementAlgorithm=data.draw(enum_or_garbage(("ECDH",))),
                PublicKey=public,
            )
        if error is not None:
            assert snapshot(be) == before, (op, error)

    run()


def test_fuzz_generate_data_key_and_re_encrypt(world: World) -> None:
    """GenerateDataKey and ReEncrypt on imported keys: the data key and re-encrypted blob
    decrypt to what was sealed; tampered blobs and wrong keys are refused without change."""
    keys = world.key_ids(world.all_externals)
    symmetric = st.sampled_from([world.sym.key_id, world.mrk.arn, "alias/fuzz-sym"])

    @fuzz_settings()
    @given(data=st.data(), op=st.sampled_from(("GenerateDataKey", "ReEncrypt")))
    def run(data: st.DataObject, op: str) -> None:
        COUNTS[op] += 1
        be = backend()
        before = snapshot(be)
        if op == "GenerateDataKey":
            response, error = call(
                world.kms.generate_data_key,
                KeyId=data.draw(st.one_of(symmetric, keys)),
                KeySpec=data.draw(st.one_of(st.none(), enum_or_garbage(("AES_256", "AES_128")))),
                NumberOfBytes=data.draw(st.one_of(st.none(), st.integers(-2, 1100))),
            )
            if response is not None:
                out = world.strict.decrypt(CiphertextBlob=response["CiphertextBlob"])
                assert out["Plaintext"] == response["Plaintext"]
        else:
            plaintext = data.draw(st.binary(min_size=1, max_size=64))
            source = data.draw(symmetric)
            blob = world.strict.encrypt(KeyId=source, Plaintext=plaintext)["CiphertextBlob"]
            before = snapshot(be)
            kind, altered = data.draw(st.one_of(st.just(("same", blob)), mutated(blob)))
            response, error = call(
                world.kms.re_encrypt,
                CiphertextBlob=altered,
                DestinationKeyId=data.draw(st.one_of(symmetric, keys)),
                SourceKeyId=data.draw(st.one_of(st.none(), st.just(source), keys)),
                DestinationEncryptionAlgorithm=data.draw(
                    st.one_of(st.none(), enum_or_garbage(ENCRYPTION_ALGORITHMS))
                ),
            )
            if response is not None:
                assert altered == blob, kind
                if response.get("DestinationEncryptionAlgorithm", "SYMMETRIC_DEFAULT") == (
                    "SYMMETRIC_DEFAULT"
                ):
                    out = world.strict.decrypt(CiphertextBlob=response["CiphertextBlob"])
                    assert out["Plaintext"] == plaintext
        if error is not None:
            assert snapshot(be) == before, (op, error)

    run()


def test_fuzz_cloudtrail_lookup_events(world: World) -> None:
    """CloudTrail LookupEvents (ours) with client-side validation off: success or a CloudTrail
    400, never a Python error; looking up never changes anything."""
    trail = boto3.client(
        "cloudtrail",
        region_name="us-east-1",
        config=Config(parameter_validation=False, retries={"max_attempts": 0}),
    )
    real_token = trail.lookup_events(MaxResults=1)["NextToken"]
    now = world.mock.now()
    times = st.one_of(
        st.none(),
        st.floats(-400, 400).map(lambda d: now + dt.timedelta(days=d)),
        st.sampled_from([0, -1, 2**34, "2030-01-01T00:00:00Z"]),
    )
    attribute = st.fixed_dictionaries(
        {
            "AttributeKey": enum_or_garbage(
                ("EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName")
            ),
            "AttributeValue": st.one_of(
                st.sampled_from(["ImportKeyMaterial", "false", world.sym.arn]), garbage_text
            ),
        }
    )

    @fuzz_settings()
    @given(
        attributes=st.one_of(st.none(), st.lists(attribute, max_size=2)),
        max_results=st.one_of(st.none(), st.integers(-2, 60), st.just("x")),
        token=st.one_of(
            st.none(),
            st.just(real_token),
            mutated(real_token.encode()).map(lambda m: m[1].decode("latin-1")),
            garbage_text,
        ),
        start=times,
        end=times,
        category=st.one_of(st.none(), enum_or_garbage(("insight",))),
    )
    def run(
        attributes: Any, max_results: Any, token: Any, start: Any, end: Any, category: Any
    ) -> None:
        COUNTS["LookupEvents"] += 1
        be = backend()
        before = snapshot(be)
        response, error = call(
            trail.lookup_events,
            known=CLOUDTRAIL_CODES,
            LookupAttributes=attributes,
            MaxResults=max_results,
            NextToken=token,
            StartTime=start,
            EndTime=end,
            EventCategory=category,
        )
        assert snapshot(be) == before, error
        if response is not None:
            assert len(response["Events"]) <= (max_results or 50)

    run()
