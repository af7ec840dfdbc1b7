"""The console's account selector: keys of two accounts (the second chosen by moto's
``x-moto-account-id`` header), each page and the deletion acting in the account
selected, and the deletion's CloudTrail record in that account."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from tests.console.support import CONSOLE, control, external_key, key_state

OTHER = "111122223333"


def _other_kms(url: str) -> Any:
    """A client of the second account: moto's server mode takes the ``x-moto-account-id`` header
    (a 12-digit access key id is not enough: moto maps only IAM-created access keys)."""
    client = boto3.client(
        "kms",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )

    def _account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = OTHER

    client.meta.events.register("before-sign.kms.*", _account)
    return client


def test_account_selector_lists_both_accounts_and_deletes_in_the_selected_one(
    page: Any, kms: Any, kms_import_server: str
) -> None:
    other = _other_kms(kms_import_server)
    mine = external_key(kms, alias="mine")
    theirs = external_key(other, alias="theirs")
    assert f":{OTHER}:" in other.describe_key(KeyId=theirs)["KeyMetadata"]["Arn"]

    page.goto(CONSOLE)
    select = page.get_by_label("Account")
    assert select.input_value() == "123456789012"  # the default account
    options = select.locator("option").all_inner_texts()
    assert "123456789012" in options and OTHER in options
    assert page.locator(f'tr[data-key-id="{mine}"]').count() == 1
    assert page.locator(f'tr[data-key-id="{theirs}"]').count() == 0

    select.select_option(OTHER)
    page.wait_for_url(f"**account={OTHER}**")
    assert page.get_by_label("Account").input_value() == OTHER
    assert page.locator(f'tr[data-key-id="{mine}"]').count() == 0
    page.get_by_role("link", name=theirs).click()
    page.wait_for_url(f"**/keys/{theirs}?*account={OTHER}*")
    section = page.get_by_role("region", name="Key material")
    section.get_by_role("button", name="Delete key material").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete key material").click()
    page.get_by_role("status").filter(has_text="Deleted the key material of theirs").wait_for()
    assert "Pending import" in section.inner_text()

    assert key_state(other, theirs) == "PendingImport"
    assert key_state(kms, mine) == "Enabled"
    status, body = control(
        kms_import_server, f"events?name=DeleteImportedKeyMaterial&key_id={theirs}"
    )
    assert status == 200
    (event,) = body["events"]
    assert event["recipientAccountId"] == OTHER
    assert event["userAgent"] == "kms-import-mock-console"


def test_a_deletion_in_another_account_still_needs_the_csrf_token(
    page: Any, kms_import_server: str
) -> None:
    other = _other_kms(kms_import_server)
    theirs = external_key(other)
    page.goto(f"{CONSOLE}?account={OTHER}")
    status = page.evaluate(
        """([key, account]) => fetch("/_kms_import/console/api/delete-key-material",
        {method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({region: "us-east-1", account: account, key_id: key})})
        .then(r => r.status)""",
        [theirs, OTHER],
    )
    assert status == 403
    assert key_state(other, theirs) == "Enabled"


def test_an_account_that_is_not_twelve_digits_is_refused(kms_import_server: str) -> None:
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(f"{kms_import_server}{CONSOLE}?account=12ab", timeout=30)
    except urllib.error.HTTPError as err:
        with err:
            assert err.code == 400
            assert "&#x27;12ab&#x27; is not a 12-digit AWS account ID" in err.read().decode()
    else:
        raise AssertionError("a bad account was accepted")
