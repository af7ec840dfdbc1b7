"""The console by keyboard alone, in Chromium: the **Key actions** menu button as the WAI-ARIA
menu button pattern has it (open keys, roving focus, Escape/Tab, aria-disabled items that stay
focusable, aria-expanded, a click outside), and the confirmation dialog's focus (Cancel first,
Tab trapped, Escape cancels, focus back to the opener)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.console.support import CONSOLE, external_key, key_state


def _focused(page: Any) -> str:
    """What has the focus: its id, or its role and text when it has no id."""
    text: str = page.evaluate(
        "() => { const e = document.activeElement;"
        " return e.id || ((e.getAttribute('role') || e.tagName) + ':' + e.textContent.trim()); }"
    )
    return text


def _wait_focus(page: Any, element_id: str) -> None:
    """The dialog's ``close`` event is queued, not synchronous: wait for the focus to return."""
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.id === id", arg=element_id
    )


ITEM = "menuitem:Delete key material"


def _open_menu_page(page: Any, kms: Any) -> tuple[str, Any]:
    key_id = external_key(kms, alias="kbd")
    page.goto(CONSOLE)
    page.locator(f'tr[data-key-id="{key_id}"]').get_by_role("checkbox").check()
    actions = page.get_by_role("button", name="Key actions")
    actions.focus()
    return key_id, actions


@pytest.mark.parametrize("key", ["Enter", " ", "ArrowDown"])
def test_enter_space_and_arrow_down_open_the_menu_on_its_first_item(
    page: Any, kms: Any, key: str
) -> None:
    _key_id, actions = _open_menu_page(page, kms)
    assert actions.get_attribute("aria-expanded") == "false"
    page.keyboard.press(key)
    assert page.get_by_role("menu").is_visible()
    assert actions.get_attribute("aria-expanded") == "true"
    assert _focused(page) == ITEM


def test_arrows_home_and_end_keep_the_focus_on_the_menu_items(page: Any, kms: Any) -> None:
    _key_id, _actions = _open_menu_page(page, kms)
    page.keyboard.press("ArrowUp")  # opens on the last item
    assert _focused(page) == ITEM
    for key in ["ArrowDown", "ArrowDown", "ArrowUp", "Home", "End"]:
        page.keyboard.press(key)  # wraps: one item, so the focus stays on it
        assert _focused(page) == ITEM
        assert page.get_by_role("menu").is_visible()


def test_escape_closes_the_menu_and_returns_the_focus_to_the_button(page: Any, kms: Any) -> None:
    _key_id, actions = _open_menu_page(page, kms)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    assert page.get_by_role("menu").is_hidden()
    assert actions.get_attribute("aria-expanded") == "false"
    assert _focused(page) == "key-actions"


def test_tab_and_a_click_outside_close_the_menu(page: Any, kms: Any) -> None:
    _key_id, actions = _open_menu_page(page, kms)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.get_by_role("menu").is_hidden()
    assert actions.get_attribute("aria-expanded") == "false"
    assert _focused(page) != ITEM

    actions.click()
    assert page.get_by_role("menu").is_visible()
    page.get_by_role("heading", level=1).click()
    assert page.get_by_role("menu").is_hidden()
    assert actions.get_attribute("aria-expanded") == "false"


def test_a_disabled_item_takes_the_focus_but_enter_does_nothing(page: Any, kms: Any) -> None:
    pending = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    page.goto(CONSOLE)
    page.locator(f'tr[data-key-id="{pending}"]').get_by_role("checkbox").check()
    page.get_by_role("button", name="Key actions").focus()
    page.keyboard.press("Enter")
    item = page.get_by_role("menuitem", name="Delete key material")
    assert item.get_attribute("aria-disabled") == "true"
    assert _focused(page) == ITEM
    page.keyboard.press("Enter")
    page.keyboard.press(" ")
    assert page.get_by_role("dialog").is_hidden()
    assert page.get_by_role("menu").is_visible()


def test_dialog_by_keyboard_focuses_cancel_traps_tab_and_escape_cancels(
    page: Any, kms: Any
) -> None:
    key_id, _actions = _open_menu_page(page, kms)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # the menu item
    dialog = page.get_by_role("dialog", name="Delete key material")
    assert dialog.is_visible()
    assert _focused(page) == "BUTTON:Cancel"
    seen = []
    for _ in range(4):
        page.keyboard.press("Tab")
        seen.append(_focused(page))
    assert seen == ["BUTTON:Delete key material", "BUTTON:Cancel"] * 2
    page.keyboard.press("Shift+Tab")
    assert _focused(page) == "BUTTON:Delete key material"
    page.keyboard.press("Escape")
    assert dialog.is_hidden()
    _wait_focus(page, "key-actions")
    assert key_state(kms, key_id) == "Enabled"

    # Enter on Cancel cancels too, and the focus returns to the opener.
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert _focused(page) == "BUTTON:Cancel"
    page.keyboard.press("Enter")
    assert dialog.is_hidden()
    _wait_focus(page, "key-actions")
    assert key_state(kms, key_id) == "Enabled"


def test_key_page_dialog_returns_the_focus_to_its_button(page: Any, kms: Any) -> None:
    key_id = external_key(kms)
    page.goto(f"{CONSOLE}keys/{key_id}")
    button = page.get_by_role("region", name="Key material").get_by_role(
        "button", name="Delete key material"
    )
    button.focus()
    page.keyboard.press("Enter")
    assert _focused(page) == "BUTTON:Cancel"
    page.keyboard.press("Escape")
    assert page.get_by_role("dialog").is_hidden()
    page.wait_for_function("b => b === document.activeElement", arg=button.element_handle())
    # Confirming by keyboard deletes the material.
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Deleted the key material").wait_for()
    assert key_state(kms, key_id) == "PendingImport"
