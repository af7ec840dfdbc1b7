"""mock_kms_import inside a running mock_aws: the outer mock's KMS state is adopted on start and
given back on stop. Ordinary keys survive; EXTERNAL keys managed by the extension are removed,
since plain moto cannot serve imported material."""

from __future__ import annotations

import boto3
from moto import mock_aws
from moto.kms.models import KmsBackend, kms_backends

from kms_import_mock import _activation, mock_kms_import
from kms_import_mock.kms.backend import ImportKmsBackend


def _kms() -> object:
    return boto3.client("kms", region_name="us-east-1")


def test_outer_keys_survive_an_inner_activation() -> None:
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        before = kms.create_key(Description="outer")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/outer", TargetKeyId=before)
        blob = kms.encrypt(KeyId=before, Plaintext=b"kept")["CiphertextBlob"]
        with mock_kms_import() as m:
            inner = m.client()
            assert isinstance(kms_backends["123456789012"]["us-east-1"], ImportKmsBackend)
            # the outer key is there and works through the extended backend
            assert inner.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"
            ordinary = inner.create_key(Description="inner")["KeyMetadata"]["KeyId"]
            external = m.create_imported_key().key_id
            assert inner.describe_key(KeyId=external)["KeyMetadata"]["KeyState"] == "Enabled"
        backend = kms_backends["123456789012"]["us-east-1"]
        assert type(backend) is KmsBackend
        assert not hasattr(backend, "imports")
        ids = {k["KeyId"] for k in kms.list_keys()["Keys"]}
        # ordinary keys of both stay; the EXTERNAL key is gone with its imported material
        assert ids == {before, ordinary}
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"
        aliases = {a["AliasName"] for a in kms.list_aliases(KeyId=before)["Aliases"]}
        assert aliases == {"alias/outer"}
    assert not _activation.active()


def test_a_read_only_call_in_the_outer_mock_does_not_refuse_the_inner_start() -> None:
    with mock_aws():
        assert boto3.client("kms", region_name="us-east-1").list_keys()["Keys"] == []
        with mock_kms_import() as m:
            key = m.create_imported_key()
            assert m.client().describe_key(KeyId=key.key_id)["KeyMetadata"]["Origin"] == "EXTERNAL"


def test_regions_first_used_inside_are_given_back_too() -> None:
    with mock_aws():
        with mock_kms_import() as m:
            kept = m.client("eu-west-1").create_key()["KeyMetadata"]["KeyId"]
            m.create_imported_key(region_name="eu-west-1")
        eu = boto3.client("kms", region_name="eu-west-1")
        assert [k["KeyId"] for k in eu.list_keys()["Keys"]] == [kept]
        for regions in kms_backends.values():
            assert regions.backend is KmsBackend
            assert all(type(b) is KmsBackend for b in regions.values())
        # plain moto's own behaviour is back for new keys
        meta = eu.create_key(Origin="EXTERNAL")["KeyMetadata"]
        assert meta["KeyState"] == "Enabled"


def test_plain_external_keys_of_the_outer_mock_stay_plain_and_stay() -> None:
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        plain = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]  # moto's own key
        with mock_kms_import():
            pass
        assert [k["KeyId"] for k in kms.list_keys()["Keys"]] == [plain]


def test_an_outer_key_scheduled_for_deletion_inside_is_deleted_on_the_mock_clock() -> None:
    import datetime as dt

    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        outer = kms.create_key(Description="outer")["KeyMetadata"]["KeyId"]
        with mock_kms_import() as m:
            inner = m.client()
            # The backend was adopted from the outer mock: it has the deletion state too.
            when = inner.schedule_key_deletion(KeyId=outer, PendingWindowInDays=9)["DeletionDate"]
            assert (when - m.now()).days == 8  # 9 days less the moment since
            m.advance(dt.timedelta(days=9))
            assert [k["KeyId"] for k in inner.list_keys()["Keys"]] == []
        backend = kms_backends["123456789012"]["us-east-1"]
        assert not hasattr(backend, "_deletions")
        assert not hasattr(backend, "deletion_windows")
        assert kms.list_keys()["Keys"] == []
