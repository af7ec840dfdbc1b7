"""The speed-ups change nothing observable, and every patch is gone after stop.

Lazy private keys, cached action names and shared botocore loaders are installed on start and
restored on stop; these tests check each against plain moto.
"""

from __future__ import annotations

import inspect
import re
import threading
from typing import Any

import boto3
import botocore.hooks
import botocore.session
import botocore.utils
import pytest
from moto import backend_index, mock_aws
from moto.core import responses as moto_responses
from moto.kms import models as moto_kms_models
from moto.kms.models import kms_backends
from moto.kms.responses import KmsResponse
from moto.kms.utils import RSAPrivateKey
from moto.moto_api._internal import mock_random
from moto.moto_api._internal.moto_random import MotoRandom

from kms_import_mock import _speedups, mock_kms_import
from kms_import_mock.kms.lazy_keys import LazyPrivateKey
from kms_import_mock.kms.responses import ImportKmsResponse

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _patched_attributes() -> dict[str, Any]:
    """Every moto and botocore attribute the speed-ups replace while active."""
    return {
        "generate_private_key": vars(moto_kms_models)["generate_private_key"],
        "method_names_from_class": vars(moto_responses)["method_names_from_class"],
        "_register_data_loader": vars(botocore.session.Session)["_register_data_loader"],
        "accepts_kwargs": vars(botocore.hooks)["accepts_kwargs"],
        "EventAliaser.__init__": vars(botocore.hooks.EventAliaser)["__init__"],
        "backend_url_patterns": vars(backend_index)["backend_url_patterns"],
        "get_random_string": vars(MotoRandom)["get_random_string"],
    }


def _backend_key(key_id: str, region: str = REGION) -> Any:
    return kms_backends[ACCOUNT][region].keys[key_id]


# -- restore -----------------------------------------------------------------------------------


def test_every_patch_is_installed_on_start_and_restored_on_stop() -> None:
    before = _patched_attributes()
    with mock_kms_import():
        during = _patched_attributes()
        assert all(during[name] is not before[name] for name in before)
        with mock_kms_import():  # nested: still installed once
            assert _patched_attributes() == during
        assert _patched_attributes() == during
    assert _patched_attributes() == before


def test_plain_mock_aws_generates_moto_keys_again_after_stop() -> None:
    with mock_kms_import() as m:
        m.client().create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    with mock_aws():
        kms = boto3.client("kms", region_name=REGION)
        key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        assert type(_backend_key(key_id).private_key) is RSAPrivateKey
        assert moto_responses.method_names_from_class(KmsResponse) == [
            name for name, _ in inspect.getmembers(KmsResponse, inspect.isfunction)
        ]


# -- lazy private keys -------------------------------------------------------------------------


def test_symmetric_and_hmac_keys_never_generate_a_private_key() -> None:
    with mock_kms_import() as m:
        kms = m.client()
        sym = kms.create_key()["KeyMetadata"]["KeyId"]
        hmac = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
        hmac_id = hmac["KeyMetadata"]["KeyId"]
        blob = kms.encrypt(KeyId=sym, Plaintext=b"x")["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
        kms.generate_data_key(KeyId=sym, KeySpec="AES_256")
        mac = kms.generate_mac(KeyId=hmac_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
        assert kms.verify_mac(
            KeyId=hmac_id, Message=b"m", Mac=mac, MacAlgorithm="HMAC_SHA_256"
        )["MacValid"]
        kms.describe_key(KeyId=sym)
        for key_id in (sym, hmac_id):
            private = _backend_key(key_id).private_key
            assert isinstance(private, LazyPrivateKey) and not private.generated


@pytest.mark.parametrize(
    ("spec", "algorithm"),
    [("RSA_2048", "RSASSA_PSS_SHA_256"), ("ECC_NIST_P256", "ECDSA_SHA_256")],
)
def test_asymmetric_key_is_made_on_first_use_and_then_stays(spec: str, algorithm: str) -> None:
    with mock_kms_import() as m:
        kms = m.client()
        key_id = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        private = _backend_key(key_id).private_key
        assert isinstance(private, LazyPrivateKey) and not private.generated
        public = kms.get_public_key(KeyId=key_id)["PublicKey"]
        assert private.generated
        signature = kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm=algorithm)["Signature"]
        assert kms.verify(
            KeyId=key_id, Message=b"m", Signature=signature, SigningAlgorithm=algorithm
        )["SignatureValid"]
        assert kms.get_public_key(KeyId=key_id)["PublicKey"] == public
        # The signature verifies under the public key GetPublicKey returned: one key, not two.
        from cryptography.hazmat.primitives.serialization import load_der_public_key

        loaded: Any = load_der_public_key(public)
        assert loaded.public_numbers() == private.private_key.public_key().public_numbers()


def test_rsa_decrypt_uses_the_lazily_made_key() -> None:
    with mock_kms_import() as m:
        kms = m.client()
        key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
        key_id = key_id["KeyMetadata"]["KeyId"]
        blob = kms.encrypt(KeyId=key_id, Plaintext=b"p", EncryptionAlgorithm="RSAES_OAEP_SHA_256")
        plain = kms.decrypt(
            KeyId=key_id,
            CiphertextBlob=blob["CiphertextBlob"],
            EncryptionAlgorithm="RSAES_OAEP_SHA_256",
        )
        assert plain["Plaintext"] == b"p"


def test_replica_shares_the_primary_private_key() -> None:
    with mock_kms_import() as m:
        kms = m.client()
        key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY", MultiRegion=True)
        key_id = key["KeyMetadata"]["KeyId"]
        kms.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
        assert not _backend_key(key_id).private_key.generated
        replica_public = m.client("eu-west-1").get_public_key(KeyId=key_id)["PublicKey"]
        assert kms.get_public_key(KeyId=key_id)["PublicKey"] == replica_public


def test_first_use_from_many_threads_makes_one_key() -> None:
    with mock_kms_import() as m:
        key_id = m.client().create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
        private = _backend_key(key_id["KeyMetadata"]["KeyId"]).private_key
        seen: list[bytes] = []
        barrier = threading.Barrier(6)

        def ask() -> None:
            barrier.wait()
            seen.append(private.public_key())

        threads = [threading.Thread(target=ask) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(seen) == 6 and len(set(seen)) == 1


def _seeded_key_ids(mock: Any) -> list[str]:
    with mock():
        mock_random.seed(42)
        kms = boto3.client("kms", region_name=REGION)
        return [
            kms.create_key(**kwargs)["KeyMetadata"]["KeyId"]
            for kwargs in (
                {},
                {"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"},
                {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
                {},
            )
        ]


def test_seeded_key_ids_are_moto_ids() -> None:
    assert _seeded_key_ids(mock_kms_import) == _seeded_key_ids(mock_aws)


# -- action names ------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [KmsResponse, ImportKmsResponse])
def test_cached_action_names_answer_as_getmembers(cls: type) -> None:
    expected = {name for name, _ in inspect.getmembers(cls, inspect.isfunction)}
    with mock_kms_import():
        names = moto_responses.method_names_from_class(cls)
        assert moto_responses.method_names_from_class(cls) is names  # once per class
        for name in dir(cls) + ["no_such_action", "kms_backend"]:
            assert (name in names) == (name in expected), name
        assert set(names) == expected


def test_cached_action_names_see_a_method_added_while_active() -> None:
    class Extended(KmsResponse):
        pass

    with mock_kms_import():
        names = moto_responses.method_names_from_class(Extended)
        assert "frobnicate" not in names
        Extended.frobnicate = lambda self: "{}"  # type: ignore[attr-defined]
        assert "frobnicate" in names
        del Extended.frobnicate  # type: ignore[attr-defined]
        assert "frobnicate" not in names


# -- botocore reuse and m.client() -------------------------------------------------------------


def test_sessions_share_parsed_models_but_not_search_paths() -> None:
    with mock_kms_import():
        first, second = boto3.Session(), boto3.Session()
        loaders = [s._session.get_component("data_loader") for s in (first, second)]
        assert loaders[0] is not loaders[1]
        assert loaders[0]._cache is loaders[1]._cache
        assert loaders[0].search_paths is not loaders[1].search_paths
        assert loaders[0].search_paths == loaders[1].search_paths
    plain = boto3.Session()._session.get_component("data_loader")
    assert plain._cache is not loaders[0]._cache


def test_client_is_cached_per_arguments_for_the_activation() -> None:
    m = mock_kms_import()
    with m:
        kms = m.client()
        assert m.client() is kms
        assert m.client("us-east-1") is kms
        assert m.client("eu-west-1") is not kms
        assert m.client(endpoint_url="http://127.0.0.1:1") is not kms
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    with m:
        again = m.client()
        assert again is not kms
        assert again.list_keys()["Keys"] == []  # a fresh activation's state, not key_id's
        assert key_id


# -- the KMS guard in front of moto's URL patterns ---------------------------------------------


def _first_service(patterns: Any, url: str) -> str | None:
    """moto's own rule (``process_request``): the service of the first pattern that matches."""
    return next((service for service, pattern in patterns if pattern.match(url)), None)


def _urls() -> list[str]:
    services = botocore.session.get_session().get_available_services()
    hosts = [*services, "kms-fips", "kmsx", "km", "s3-control", "abc.execute-api", "x.ddb"]
    urls = [
        f"{scheme}://{host}.{region}.amazonaws.com{path}"
        for host in hosts
        for scheme in ("https", "http")
        for region in ("us-east-1", "eu-west-1")
        for path in ("/", "/kms.us-east-1.amazonaws.com")
    ]
    return [
        *urls,
        "https://kms.us-east-1.api.aws/",
        "https://bucket.s3.amazonaws.com/https://kms.us-east-1.amazonaws.com",
        "https://kms.s3.amazonaws.com/",
        "https://kms.execute-api.us-east-1.amazonaws.com/",
        "https://kms.streams-ddb.us-east-1.amazonaws.com/",
        "http://169.254.169.254/latest/meta-data/",
        "https://kms.amazonaws.com",
    ]


def test_the_guard_gives_every_url_the_service_moto_gives_it() -> None:
    plain = list(backend_index.backend_url_patterns)
    with mock_kms_import():
        guarded = backend_index.backend_url_patterns
        assert guarded[0][0] == "kms" and guarded[1:] == plain
        urls = _urls()
        differing = [u for u in urls if _first_service(guarded, u) != _first_service(plain, u)]
        assert differing == []
        # The guard answers real KMS requests (the point of it), and only KMS's URLs.
        assert guarded[0][1].match("https://kms.eu-west-1.amazonaws.com/")
        assert sum(1 for u in urls if guarded[0][1].match(u)) == sum(
            1 for u in urls if _first_service(plain, u) == "kms"
        )


def test_a_kms_url_an_earlier_pattern_takes_is_not_taken_by_the_guard() -> None:
    earlier = ("wide", re.compile(r"https?://(.+)\.amazonaws\.com"))
    kms = ("kms", re.compile(r"https?://kms\.(.+)\.amazonaws\.com"))
    guard = _speedups.kms_guard([earlier, kms])
    assert guard is not None and not guard.match("https://kms.us-east-1.amazonaws.com/")
    assert _speedups.kms_guard([earlier]) is None  # no KMS entry: no guard


@pytest.mark.parametrize(
    ("source", "possible"),
    [
        (r"https?://acm\.(.+)\.amazonaws\.com", False),
        (r"https?://kinesis\.(.+)\.amazonaws\.com", False),
        (r"https?://kms\.(.+)\.amazonaws\.com", True),
        (r"https?://km\.(.+)", False),
        (r"https?://k(.+)", True),
        (r"https?://kx?ms\.", True),  # "x" is optional: only "k" is read
        (r"https?://(.+)\.ddb\.", True),
        (r"https?://acm\.|https?://kms\.", True),  # an alternative may start elsewhere
        (r"http://169.254.169.254", True),  # not moto's usual scheme: not read
    ],
)
def test_patterns_are_left_out_of_the_guard_only_when_they_cannot_match(
    source: str, possible: bool
) -> None:
    assert _speedups._may_match_host(source, "kms.") is possible


# -- random strings ----------------------------------------------------------------------------


@pytest.mark.parametrize("length", [0, 1, 20, 52, 200])
@pytest.mark.parametrize("include_digits", [True, False])
@pytest.mark.parametrize("lower_case", [True, False])
def test_random_strings_are_moto_strings_draw_for_draw(
    length: int, include_digits: bool, lower_case: bool
) -> None:
    moto_side, ours = MotoRandom(7), MotoRandom(7)
    original = vars(MotoRandom)["get_random_string"]
    for _ in range(3):
        expected = original(moto_side, length, include_digits, lower_case)
        assert _speedups.random_string(ours, length, include_digits, lower_case) == expected
    assert moto_side.getstate() == ours.getstate()  # the generator moved exactly as far


def test_seeded_request_ids_are_moto_request_ids() -> None:
    def request_ids(mock: Any) -> list[str]:
        with mock():
            mock_random.seed(42)
            kms = boto3.client("kms", region_name=REGION)
            key_id = kms.create_key()["KeyMetadata"]["KeyId"]
            answers = [kms.describe_key(KeyId=key_id) for _ in range(3)]
            return [key_id] + [a["ResponseMetadata"]["RequestId"] for a in answers]

    assert request_ids(mock_kms_import) == request_ids(mock_aws)


def test_the_guard_is_built_again_when_motos_patterns_change() -> None:
    with mock_kms_import():
        first = backend_index.backend_url_patterns[0][1]
    with mock_kms_import():
        assert backend_index.backend_url_patterns[0][1] is first  # the same list: reused
    original = backend_index.backend_url_patterns
    kms_only = [entry for entry in original if entry[0] == "kms"]
    backend_index.backend_url_patterns = kms_only
    try:
        with mock_kms_import():
            guard = backend_index.backend_url_patterns[0][1]
            assert guard is not first
            assert guard.match("https://kms.us-east-1.amazonaws.com")
    finally:
        backend_index.backend_url_patterns = original
