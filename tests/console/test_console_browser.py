"""The console in a real browser: both procedures of deleting key material (the keys page's
**Key actions** menu and the key page's **Key material** button), Cancel, the mock clock, the
history timeline, a cross-site page's attempt, and a screenshot that is not blank."""

from __future__ import annotations

import collections
import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

from tests.console.support import (
    CONSOLE,
    SCREENSHOT,
    SCREENSHOT_ENV,
    control,
    external_key,
    import_material,
    key_state,
    other_site,
    png_pixels,
    server_now,
)


def _row(page: Any, key_id: str) -> Any:
    return page.locator(f'tr[data-key-id="{key_id}"]')


def _cells(page: Any, key_id: str) -> list[str]:
    texts: list[str] = _row(page, key_id).locator("td").all_inner_texts()
    return [t.strip() for t in texts]


def _deletions(url: str, key_id: str) -> list[dict[str, Any]]:
    status, body = control(url, f"events?name=DeleteImportedKeyMaterial&key_id={key_id}")
    assert status == 200
    events: list[dict[str, Any]] = body["events"]
    return events


def test_keys_page_lists_every_key_of_the_region_as_the_aws_console_words_it(
    page: Any, kms: Any
) -> None:
    expiring = external_key(
        kms, alias="payments", ValidTo=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3)
    )
    forever = external_key(kms)
    pending = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    disabled = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=disabled)
    deleting = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=deleting, PendingWindowInDays=7)

    page.goto(CONSOLE)

    assert page.get_by_role("heading", name=re.compile("Keys")).inner_text() == "Keys (5)"
    valid_to = kms.describe_key(KeyId=expiring)["KeyMetadata"]["ValidTo"]
    assert _cells(page, expiring)[1:] == [
        expiring,
        "payments",
        "Enabled",
        "External",
        "SYMMETRIC_DEFAULT",
        f"expires {valid_to.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M:%S} UTC",
    ]
    assert _cells(page, forever)[3:] == [
        "Enabled", "External", "SYMMETRIC_DEFAULT", "does not expire"
    ]
    assert _cells(page, pending)[2:] == [
        "\u2014", "Pending import", "External", "SYMMETRIC_DEFAULT", "\u2014"
    ]
    assert _cells(page, disabled)[3:5] == ["Disabled", "AWS KMS"]
    assert _cells(page, deleting)[3:6] == ["Pending deletion", "AWS KMS", "RSA_2048"]
    # The key ID links to the key's page.
    page.get_by_role("link", name=expiring).click()
    page.wait_for_url(re.compile(f"/keys/{expiring}"))
    assert page.get_by_role("heading", level=1).inner_text() == "payments"

    # Another Region from the selector: its own (empty) list.
    page.goto(CONSOLE)
    page.get_by_label("Region").select_option("eu-west-1")
    page.wait_for_url(re.compile("region=eu-west-1"))
    assert page.get_by_role("heading", name=re.compile("Keys")).inner_text() == "Keys (0)"
    assert "No keys in this Region." in page.locator("table.keys").inner_text()


def test_key_actions_menu_deletes_the_selected_keys_material(
    page: Any, kms: Any, kms_import_server: str
) -> None:
    key_id = external_key(kms, alias="orders")
    other = external_key(kms)
    page.goto(CONSOLE)

    _row(page, key_id).get_by_role("checkbox").check()
    page.get_by_role("button", name="Key actions").click()
    menu = page.get_by_role("menu")
    item = menu.get_by_role("menuitem", name="Delete key material")
    assert menu.is_visible() and item.is_enabled()
    item.click()
    dialog = page.get_by_role("dialog", name="Delete key material")
    assert dialog.is_visible()
    assert "orders" in dialog.inner_text()
    dialog.get_by_role("button", name="Delete key material").click()

    page.wait_for_load_state("load")
    page.get_by_role("status").filter(has_text="Deleted the key material of orders").wait_for()
    assert _cells(page, key_id)[3] == "Pending import"
    assert _cells(page, key_id)[6] == "\u2014"
    assert key_state(kms, key_id) == "PendingImport"
    assert _cells(page, other)[3] == "Enabled"  # only the selected key
    # A real DeleteImportedKeyMaterial, recorded as CloudTrail records it, by the console.
    (event,) = _deletions(kms_import_server, key_id)
    assert event["userAgent"] == "kms-import-mock-console"
    assert event["requestParameters"] == {"keyId": key_id}
    assert event["responseElements"]["keyId"].endswith(f":key/{key_id}")
    # No material now: the menu no longer offers the deletion.
    _row(page, key_id).get_by_role("checkbox").check()
    page.get_by_role("button", name="Key actions").click()
    assert page.get_by_role("menuitem", name="Delete key material").is_disabled()


def test_menu_offers_deletion_only_for_one_external_key_with_material(
    page: Any, kms: Any
) -> None:
    imported = external_key(kms)
    second = external_key(kms)
    pending = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    aws_kms = kms.create_key()["KeyMetadata"]["KeyId"]
    page.goto(CONSOLE)
    actions = page.get_by_role("button", name="Key actions")
    item = page.get_by_role("menuitem", name="Delete key material")

    def offered(*selected: str) -> bool:
        for checkbox in page.get_by_role("checkbox").all():
            checkbox.uncheck()
        for key_id in selected:
            _row(page, key_id).get_by_role("checkbox").check()
        actions.click()
        assert actions.get_attribute("aria-expanded") == "true"
        enabled: bool = item.is_enabled()
        page.keyboard.press("Escape") if enabled else actions.click()
        assert page.get_by_role("menu").is_hidden()
        return enabled

    assert offered(imported)
    assert not offered()
    assert not offered(pending)
    assert not offered(aws_kms)
    assert not offered(imported, second)


def test_cancel_leaves_the_material(page: Any, kms: Any, kms_import_server: str) -> None:
    key_id = external_key(kms)
    page.goto(CONSOLE)
    _row(page, key_id).get_by_role("checkbox").check()
    page.get_by_role("button", name="Key actions").click()
    page.get_by_role("menuitem", name="Delete key material").click()
    dialog = page.get_by_role("dialog")
    assert key_id in dialog.inner_text()
    dialog.get_by_role("button", name="Cancel").click()
    assert dialog.is_hidden()

    page.reload()
    assert _cells(page, key_id)[3] == "Enabled"
    assert key_state(kms, key_id) == "Enabled"
    assert _deletions(kms_import_server, key_id) == []

    # And on the key page.
    page.goto(f"{CONSOLE}keys/{key_id}")
    section = page.get_by_role("region", name="Key material")
    section.get_by_role("button", name="Delete key material").click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    page.reload()
    assert "Imported" in section.inner_text()
    assert key_state(kms, key_id) == "Enabled"
    assert _deletions(kms_import_server, key_id) == []


def test_key_page_button_deletes_the_material(
    page: Any, kms: Any, kms_import_server: str
) -> None:
    valid_to = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(days=30)
    key_id = external_key(kms, alias="ledger", ValidTo=valid_to)
    material_id = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    page.goto(f"{CONSOLE}keys/{key_id}")

    section = page.get_by_role("region", name="Key material")
    details = section.locator("dl").inner_text()
    assert "Key material state\nImported" in details
    assert f"Key material ID\n{material_id}" in details
    assert f"Expiration\nexpires {valid_to:%Y-%m-%d %H:%M:%S} UTC" in details
    imported = re.search(r"Imported\n(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC)", details)
    assert imported is not None, details
    assert abs(
        dt.datetime.strptime(imported.group(1), "%Y-%m-%d %H:%M:%S UTC").replace(
            tzinfo=dt.timezone.utc
        )
        - server_now(kms_import_server)
    ) < dt.timedelta(minutes=5)

    section.get_by_role("button", name="Delete key material").click()
    dialog = page.get_by_role("dialog", name="Delete key material")
    assert "ledger" in dialog.inner_text()
    dialog.get_by_role("button", name="Delete key material").click()
    page.get_by_role("status").filter(has_text="Pending import").wait_for()

    details = section.locator("dl").inner_text()
    assert "Key material state\nPending import" in details
    assert f"Key material ID\n{material_id}" in details  # the association stays
    assert section.get_by_role("button", name="Delete key material").is_disabled()
    assert key_state(kms, key_id) == "PendingImport"
    (event,) = _deletions(kms_import_server, key_id)
    assert event["responseElements"]["keyMaterialId"] == material_id
    timeline = page.get_by_role("img", name=re.compile("timeline"))
    kinds = timeline.locator("g.moment").evaluate_all("gs => gs.map(g => g.dataset.kind)")
    assert kinds == ["imported", "deleted"]


def test_material_the_clock_expired_shows_pending_import_on_the_next_load(
    page: Any, kms: Any, kms_import_server: str
) -> None:
    valid_to = server_now(kms_import_server) + dt.timedelta(hours=2)
    key_id = external_key(kms, ValidTo=valid_to)
    page.goto(CONSOLE)
    assert _cells(page, key_id)[3] == "Enabled"

    status, _ = control(kms_import_server, "clock/advance", {"seconds": 3 * 3600})
    assert status == 200
    page.reload()

    assert _cells(page, key_id)[3] == "Pending import"
    assert _cells(page, key_id)[6] == "\u2014"
    assert page.locator(".clock time").inner_text().startswith(
        f"{server_now(kms_import_server):%Y-%m-%d %H:}"
    )
    page.get_by_role("link", name=key_id).click()
    section = page.get_by_role("region", name="Key material")
    assert "Key material state\nPending import" in section.locator("dl").inner_text()
    timeline = page.get_by_role("img", name=re.compile("timeline"))
    kinds = timeline.locator("g.moment").evaluate_all("gs => gs.map(g => g.dataset.kind)")
    assert kinds == ["imported", "expired"]


def test_timeline_shows_the_whole_material_history(
    page: Any, kms: Any, kms_import_server: str
) -> None:
    now = server_now(kms_import_server)
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    first = import_material(kms, key_id, ValidTo=now + dt.timedelta(hours=1))
    control(kms_import_server, "clock/advance", {"seconds": 2 * 3600})  # expired
    import_material(kms, key_id, first)  # reimported
    import_material(kms, key_id, ImportType="NEW_KEY_MATERIAL")
    kms.rotate_key_on_demand(KeyId=key_id)  # rotated
    kms.delete_imported_key_material(KeyId=key_id)  # deleted

    page.goto(f"{CONSOLE}keys/{key_id}")
    timeline = page.get_by_role("img", name=re.compile("timeline"))
    assert timeline.is_visible()
    kinds = timeline.locator("g.moment").evaluate_all("gs => gs.map(g => g.dataset.kind)")
    assert kinds == ["imported", "expired", "reimported", "imported", "rotated", "deleted"]
    labels = timeline.locator("text").all_text_contents()
    assert labels[0] == "imported" and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", labels[1])
    assert labels[-2:][0] == "deleted"
    # The materials table lists both materials with their states.
    table = page.get_by_role("table", name="All key material").inner_text()
    assert "Non current" in table and "Current" in table


def test_a_page_on_another_site_cannot_delete_material(
    page: Any, kms: Any, kms_import_server: str
) -> None:
    key_id = external_key(kms)
    # A page of another origin: another local app the developer runs (Chromium itself blocks
    # a public site's requests to 127.0.0.1 before they leave, so a local one is the threat).
    with other_site() as foreign:
        page.goto(foreign)
    endpoint = f"{kms_import_server}{CONSOLE}api/delete-key-material"
    script = """async ([endpoint, keyId, headers, mode]) => {
        try {
            const response = await fetch(endpoint, {method: "POST", mode, headers,
                body: JSON.stringify({region: "us-east-1", key_id: keyId})});
            return response.type;
        } catch (error) { return "refused by the browser"; }
    }"""
    # A simple request (no preflight) reaches the server, which refuses it for its Origin.
    with page.expect_response(endpoint) as answer:
        kind = page.evaluate(script, [endpoint, key_id, {"Content-Type": "text/plain"}, "no-cors"])
    assert kind == "opaque"
    assert answer.value.status == 403
    # With the JSON type and a guessed token the browser must ask first; the console's API
    # answers no CORS preflight, so the request itself is never sent.
    headers = {"Content-Type": "application/json", "X-CSRF-Token": "guess"}
    assert page.evaluate(script, [endpoint, key_id, headers, "cors"]) == "refused by the browser"

    assert key_state(kms, key_id) == "Enabled"
    assert _deletions(kms_import_server, key_id) == []


def test_a_refused_deletion_is_shown_in_the_dialog_and_keeps_the_material(
    page: Any, kms: Any, kms_import_server: str
) -> None:
    key_id = external_key(kms)
    page.goto(f"{CONSOLE}keys/{key_id}")
    # The token a page opened before the server restarted would send: one it never made.
    page.evaluate(
        """() => { const send = window.fetch; window.fetch = (url, init) =>
            send(url, {...init, headers: {...init.headers, "X-CSRF-Token": "stale"}}); }"""
    )
    page.get_by_role("region", name="Key material").get_by_role(
        "button", name="Delete key material"
    ).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Delete key material").click()

    alert = dialog.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text().startswith("Wrong CSRF token")
    assert dialog.is_visible()
    assert key_state(kms, key_id) == "Enabled"
    assert _deletions(kms_import_server, key_id) == []


def test_screenshot_of_the_console_is_not_blank(page: Any, kms: Any, tmp_path: Path) -> None:
    external_key(
        kms, alias="payments", ValidTo=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=90)
    )
    external_key(kms, alias="orders")
    pending = external_key(kms, alias="archive")
    kms.delete_imported_key_material(KeyId=pending)
    kms.create_key(Description="made by AWS KMS")
    page.set_viewport_size({"width": 1100, "height": 420})
    page.goto(CONSOLE)
    page.get_by_role("checkbox", name="Select key payments").check()
    page.get_by_role("button", name="Key actions").click()

    target = SCREENSHOT if os.environ.get(SCREENSHOT_ENV) == "1" else tmp_path / SCREENSHOT.name
    page.screenshot(path=str(target))
    png = target.read_bytes()

    width, height, pixels = png_pixels(png)
    assert (width, height) == (1100, 420)
    counts = collections.Counter(pixels)
    background, most = counts.most_common(1)[0]
    drawn = len(pixels) - most
    assert len(counts) > 50, "hardly any colours: the page did not render"
    assert drawn > len(pixels) // 20, f"only {drawn} of {len(pixels)} pixels differ from the page"
