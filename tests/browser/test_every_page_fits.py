"""Every staff and public page, as each of its users, on a phone (390 px), a tablet
(768 px) and a desktop (1366 px): the page is never wider than the window, nothing
inside it scrolls sideways, no table cell breaks a word into one or two characters a
line, and axe-core finds no violation at all. On the phone the header takes at most a
quarter of the screen, its menu folded behind a button that unfolds it. Screenshots:
fit-<page>-<width>-<persona>.png, and -menu.png with the menu unfolded.

The pages and who may open them come from tests/routes.py, the table the URL walks use:
a new page is checked here the day it gets its route."""

import pytest
from playwright.sync_api import Page

from ..routes import ROUTES, build_scene
from .conftest import save_screenshot, sign_in_as
from .test_public import AXE, AXE_URL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": 390, "tablet": 768, "desktop": 1366}
HEIGHT = 900
# Not pages: feeds, downloads, the health check, and the citizen's own look-up (its
# page is the anonymous /track/ one, opened here).
NOT_PAGES = {
    "healthz",
    "rosters:member_calendar",
    "rosters:workstation_calendar",
    "visits:case_export",
    "points:year_workbook",
    "departments:record_workbook",
}
SIGNED_IN = {"administrator", "staff", "member"}

# How wide the page is, what scrolls sideways inside it, and which table cells are
# too narrow for two characters of their own font side by side.
MEASURE = """
() => {
  const visible = (el) => el.offsetParent !== null || getComputedStyle(el).position === "fixed";
  const scrolling = [];
  for (const el of document.querySelectorAll("body *")) {
    const overflow = getComputedStyle(el).overflowX;
    if ((overflow === "auto" || overflow === "scroll") && visible(el)
        && el.scrollWidth > el.clientWidth + 1) {
      scrolling.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
    }
  }
  const cramped = [];
  for (const cell of document.querySelectorAll("td, th")) {
    const text = cell.innerText.trim();
    if (text.length < 3 || !visible(cell)) continue;
    const style = getComputedStyle(cell);
    const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (inner > 0 && inner < 2.5 * parseFloat(style.fontSize)) cramped.push(text.slice(0, 24));
  }
  return {
    wider_by: document.documentElement.scrollWidth - window.innerWidth,
    scrolling: scrolling.slice(0, 5),
    cramped: cramped.slice(0, 5),
  };
}
"""


def violations(page: Page) -> list:
    """axe-core's findings on the page, whatever their impact: a moderate one such as two
    landmarks under one name (the statistics page's tables once) fails too."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    results = page.evaluate("async () => await axe.run(document)")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]
    ]


# On a phone the header (brand and menu button, the menu folded) takes at most this share
# of the screen's height.
HEADER_SHARE = 0.25


def header_misfits(page: Page, shot: str) -> list[str]:
    """On a phone: what is wrong with the header. It is no taller than HEADER_SHARE of the
    screen; on staff pages the menu is folded, and its button unfolds it to show the
    links (the first of them, which every signed-in user has; screenshot `shot`) and
    folds it again."""
    found = []
    header = page.locator("header.site-header")
    if (box := header.bounding_box()) and box["height"] > HEADER_SHARE * HEIGHT:
        found.append(f"header {box['height']:.0f}px tall")
    menu = page.locator("header nav.staff-nav")
    if menu.count() == 0:
        return found
    first_link = menu.locator("ul.nav a").first
    if first_link.is_visible():
        found.append("menu not folded")
    menu.locator("summary").click()
    if not first_link.is_visible():
        found.append("menu button shows no links")
    save_screenshot(page, shot)
    menu.locator("summary").click()
    if first_link.is_visible():
        found.append("menu button does not fold the menu")
    return found


# Pages that look different in another state than the one of the route's address: the
# case page of a referred case has its referrals table (every persona opening the case
# page may open this case).
MORE_ADDRESSES = {"desk:case_detail": {"referred": lambda s: f"/cases/{s.referred.number}/"}}


def pages_by_persona(scene) -> list[tuple[str, str, str]]:
    """(route name, address, persona) of every page a persona may open."""
    return [
        (label, address(scene), persona)
        for name, route in ROUTES.items()
        if route.get and name not in NOT_PAGES
        for label, address in [
            (name, route.url),
            *((f"{name}-{more}", url) for more, url in MORE_ADDRESSES.get(name, {}).items()),
        ]
        for persona in route.personas
        if persona in (*SIGNED_IN, "liaison", "anonymous")
    ]


def test_every_page_fits_a_phone_a_tablet_and_a_desktop(
    page: Page,
    live_server,
    watch,
    administrator,
    staff,
    member_user,
    workstation,
    django_capture_on_commit_callbacks,
):
    scene = build_scene(staff, member_user, workstation, django_capture_on_commit_callbacks)
    users = {
        "administrator": administrator,
        "staff": staff,
        "member": member_user,
        "liaison": scene.liaison,
    }
    page.route(
        f"**{AXE_URL}", lambda route: route.fulfill(path=AXE, content_type="text/javascript")
    )
    misfits, inaccessible = {}, {}
    for name, address, persona in pages_by_persona(scene):
        sign_in_as(page, live_server.url, users.get(persona))
        for width_name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": HEIGHT})
            response = page.goto(f"{live_server.url}{address}")
            assert response is not None and response.status == 200, (name, persona)
            measured = page.evaluate(MEASURE)
            if measured["wider_by"] > 0 or measured["scrolling"] or measured["cramped"]:
                misfits[f"{name} {persona} {width}px"] = measured
            save_screenshot(page, f"fit-{name}-{width_name}-{persona}")
            if width_name != "phone":
                continue
            if found := header_misfits(page, f"fit-{name}-phone-{persona}-menu"):
                misfits[f"{name} {persona} header"] = found
            if found := violations(page):
                inaccessible[f"{name} {persona}"] = found
    assert misfits == {}, "\n" + "\n".join(f"{k}: {v}" for k, v in misfits.items())
    assert inaccessible == {}, "\n" + "\n".join(f"{k}: {v}" for k, v in inaccessible.items())
    watch.assert_clean()
