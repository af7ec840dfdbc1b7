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

import pytest
from botocore.exceptions import ClientError
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
from reliability_support import COUNTS, backend, check_error, fuzz_settings, snapshot

from kms_import_mock import mock_kms_import
from kms_import_mock._keyspecs import wrapping_allowed


@pytest.fixture
def world() -> Iterator[World]:
    with mock_kms_import() as mock:
        yield World(mock)


def call(fn: Any, **kwargs: Any) -> tuple[dict[str, Any] | None, tuple[str, str] | None]:
    """(response, None) or (None, (code, message)) after checking the refusal invariant."""
    try:
        return fn(**{k: v for k, v in kwargs.items() if v is not None}), None
    except ClientError as exc:
        err = exc.response["Error"]
        code, message = err.get("Code", ""), err.get("Message", "")
        status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
        check_error(code, message, status, sent=kwargs.values())
        return None, (code, message)


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
