"""The alias index answers as moto's scans did; ListKeys pages; events read back the same;
the expiry heap keeps one entry per material."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.kms.models import kms_backends

from kms_import_mock import mock_kms_import
from tests.helpers import import_material

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _error(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return str(info.value.response["Error"]["Code"])


def _alias_story(kms: Any) -> list[Any]:
    """Alias operations and lookups, with what each answered (run under both mocks)."""
    seen: list[Any] = []
    a, b, c = (kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(3))
    kms.create_alias(AliasName="alias/one", TargetKeyId=a)
    kms.create_alias(AliasName="alias/two", TargetKeyId=b)
    seen.append(_error(kms.create_alias, AliasName="alias/one", TargetKeyId=c))
    seen.append(kms.describe_key(KeyId="alias/one")["KeyMetadata"]["KeyId"] == a)
    kms.update_alias(AliasName="alias/one", TargetKeyId=c)
    seen.append(kms.describe_key(KeyId="alias/one")["KeyMetadata"]["KeyId"] == c)
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/one"
    blob = kms.encrypt(KeyId=arn, Plaintext=b"x")["CiphertextBlob"]
    seen.append(kms.decrypt(CiphertextBlob=blob)["KeyId"].endswith(c))
    kms.update_alias(AliasName="alias/one", TargetKeyId=c)  # unchanged target
    kms.delete_alias(AliasName="alias/two")
    seen.append(_error(kms.describe_key, KeyId="alias/two"))
    seen.append(_error(kms.encrypt, KeyId="alias/two", Plaintext=b"x"))
    seen.append(_error(kms.delete_alias, AliasName="alias/two"))
    kms.create_alias(AliasName="alias/two", TargetKeyId=a)
    seen.append(kms.describe_key(KeyId="alias/two")["KeyMetadata"]["KeyId"] == a)
    aliases = kms.list_aliases()["Aliases"]
    seen.append(sorted((x["AliasName"], x["TargetKeyId"] in (a, b, c)) for x in aliases))
    seen.append(sorted(x["AliasName"] for x in kms.list_aliases(KeyId=c)["Aliases"]))
    seen.append(kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyManager"])
    return seen


def test_alias_operations_answer_as_plain_moto() -> None:
    with mock_aws():
        plain = _alias_story(boto3.client("kms", region_name=REGION))
    with mock_kms_import() as m:
        ours = _alias_story(m.client())
    assert ours == plain


def test_alias_index_follows_key_deletion_and_reset() -> None:
    with mock_kms_import() as m:
        kms = m.client()
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/gone", TargetKeyId=key_id)
        backend = kms_backends[ACCOUNT][REGION]
        assert backend.get_key_id_from_alias("alias/gone") == key_id
        backend.delete_key(key_id)
        assert backend.get_key_id_from_alias("alias/gone") is None
        assert "alias/gone" not in backend._alias_targets
        other = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/kept", TargetKeyId=other)
    with mock_kms_import() as m:
        assert _error(m.client().describe_key, KeyId="alias/kept") == "NotFoundException"


def test_alias_of_a_replicated_ordinary_key_is_seen_as_moto_sees_it() -> None:
    def story(kms: Any, replica: Any) -> list[Any]:
        key_id = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
        kms.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
        replica.create_alias(AliasName="alias/in-replica", TargetKeyId=key_id)
        out: list[Any] = []
        for client in (kms, replica):
            try:
                out.append(client.describe_key(KeyId="alias/in-replica")["KeyMetadata"]["KeyId"])
            except ClientError as err:
                out.append(err.response["Error"]["Code"])
        return [x == key_id or x for x in out]

    with mock_aws():
        plain = story(*(boto3.client("kms", region_name=r) for r in (REGION, "eu-west-1")))
    with mock_kms_import() as m:
        ours = story(m.client(), m.client("eu-west-1"))
    assert ours == plain


def test_list_keys_pages_with_limit_and_marker() -> None:
    with mock_kms_import() as m:
        kms = m.client()
        ids = [kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(7)]
        backend = kms_backends[ACCOUNT][REGION]
        backend.delete_key(ids[3])  # a hole in the order
        expected = [i for i in ids if i != ids[3]]
        seen, marker, pages = [], None, 0
        while True:
            page = kms.list_keys(Limit=2, **({"Marker": marker} if marker else {}))
            pages += 1
            seen += [k["KeyId"] for k in page["Keys"]]
            assert len(page["Keys"]) <= 2
            if not page["Truncated"]:
                assert "NextMarker" not in page
                break
            marker = page["NextMarker"]
        assert seen == expected and pages == 3
        everything = kms.list_keys()
        assert [k["KeyId"] for k in everything["Keys"]] == expected
        assert everything["Truncated"] is False
        assert everything["Keys"][0]["KeyArn"].endswith(f":key/{expected[0]}")
        assert _error(kms.list_keys, Marker="not-a-marker") == "InvalidMarkerException"


def test_list_keys_default_limit_is_aws_100() -> None:
    with mock_kms_import() as m:
        kms = m.client()
        for _ in range(101):
            kms.create_key()
        first = kms.list_keys()
        assert len(first["Keys"]) == 100 and first["Truncated"]
        rest = kms.list_keys(Marker=first["NextMarker"])
        assert len(rest["Keys"]) == 1 and not rest["Truncated"]


# -- events and the expiry heap ----------------------------------------------------------------

_API_FIELDS = [
    "eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
    "sourceIPAddress", "userAgent", "requestParameters", "responseElements", "requestID",
    "eventID", "readOnly", "resources", "eventType", "managementEvent", "recipientAccountId",
    "eventCategory",
]  # fmt: skip


def test_events_read_back_identical_and_fresh_each_time() -> None:
    with mock_kms_import() as m:
        kms = m.client()
        key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        valid_to = m.now() + dt.timedelta(hours=1)
        result = import_material(kms, key_id, b"k" * 32, ValidTo=valid_to)
        m.advance(dt.timedelta(hours=2))
        kms.describe_key(KeyId=key_id)
        first, second = m.events(), m.events()
        assert first == second and first[0] is not second[0]
        assert [e["eventName"] for e in first] == [
            "CreateKey", "DescribeKey", "GetParametersForImport", "ImportKeyMaterial",
            "DeleteExpiredKeyMaterial", "DescribeKey",
        ]  # fmt: skip
        _, _, gpfi, imported, expired, _ = first
        assert list(gpfi) == _API_FIELDS
        assert str(uuid.UUID(gpfi["eventID"])) == gpfi["eventID"]
        assert imported["responseElements"] == {
            "keyId": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}",
            "keyMaterialId": result["KeyMaterialId"],
        }
        assert imported["requestParameters"]["keyId"] == key_id
        assert expired["serviceEventDetails"] == {
            "keyId": key_id,
            "keyMaterialId": result["KeyMaterialId"],
        }
        assert expired["eventTime"] == valid_to.strftime("%Y-%m-%dT%H:%M:%SZ")
        first[0]["userIdentity"]["arn"] = "changed"
        assert m.events()[0]["userIdentity"]["arn"] != "changed"
        json.dumps(m.events())  # still plain JSON values


def test_reimport_keeps_one_heap_entry_per_material() -> None:
    with mock_kms_import() as m:
        kms = m.client()
        key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        backend = kms_backends[ACCOUNT][REGION]
        for hours in (5, 1, 9, 3):
            import_material(kms, key_id, b"k" * 32, ValidTo=m.now() + dt.timedelta(hours=hours))
            assert len(backend._expiry) == 1
            # ValidTo is kept in whole seconds, and the clock moves on between the two reads.
            assert backend._expiry.earliest() == pytest.approx(
                (m.now() + dt.timedelta(hours=hours)).timestamp(), abs=2
            )
        m.advance(dt.timedelta(hours=2))
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
        m.advance(dt.timedelta(hours=2))
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
        assert len(backend._expiry) == 0
        import_material(kms, key_id, b"k" * 32, ValidTo=m.now() + dt.timedelta(hours=1))
        import_material(kms, key_id, b"k" * 32)  # no expiry: the entry goes
        assert len(backend._expiry) == 0
        import_material(kms, key_id, b"k" * 32, ValidTo=m.now() + dt.timedelta(hours=1))
        kms.delete_imported_key_material(KeyId=key_id)
        assert len(backend._expiry) == 0


def test_expiry_heap_orders_many_materials() -> None:
    from kms_import_mock.kms.expiry import ExpiryHeap

    heap = ExpiryHeap()
    import random

    rng = random.Random(3)
    times = {f"k{i}": rng.random() for i in range(200)}
    for key_id, when in times.items():
        heap.schedule(key_id, "m", when + 5)
    for key_id, when in times.items():  # every one moved, a few removed
        heap.schedule(key_id, "m", when)
    for key_id in list(times)[:20]:
        heap.cancel(key_id, "m")
        del times[key_id]
    popped = []
    while (entry := heap.pop_due(10.0)) is not None:
        popped.append((entry[0], entry[2]))
    assert popped == sorted((when, key_id) for key_id, when in times.items())
    assert len(heap) == 0


def test_one_sweep_expiring_many_records_each_in_order_with_moto_seeded_ids() -> None:
    """A sweep keeps its DeleteExpiredKeyMaterial events as one batch: read back, they are
    one per material, dated at each ValidTo, ordered among later events, and their ids are
    the ones as many single ``uuid4()`` draws of moto's seeded random source give."""
    from moto.moto_api._internal import mock_random

    from kms_import_mock.kms import events

    with mock_kms_import() as m:
        kms = m.client()
        backend = kms_backends[ACCOUNT][REGION]
        keys = []
        for minutes in (30, 10, 20):
            key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
            valid_to = m.now() + dt.timedelta(minutes=minutes)
            import_material(kms, key_id, b"k" * 32, ValidTo=valid_to)
            keys.append((valid_to, key_id))
        mock_random.seed(11)
        expected_ids = [str(mock_random.uuid4()) for _ in keys]
        mock_random.seed(11)
        m.advance(dt.timedelta(hours=1))
        assert "_expired_batches" in backend.__dict__  # made into entries on first read
        later = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        kms.get_parameters_for_import(
            KeyId=later, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        )
        expired = m.events("DeleteExpiredKeyMaterial")
        assert "_expired_batches" not in backend.__dict__
        assert [(e["serviceEventDetails"]["keyId"], e["eventTime"]) for e in expired] == [
            (key_id, valid_to.strftime("%Y-%m-%dT%H:%M:%SZ")) for valid_to, key_id in sorted(keys)
        ]
        assert [e["eventID"] for e in expired] == expected_ids
        assert m.events()[-1]["eventName"] == "GetParametersForImport"
        assert len(events.stored(backend)) == len(m.events())  # made once, not on every read
