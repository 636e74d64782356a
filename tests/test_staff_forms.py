"""Staff forms speak plain Chinese: every staff form page, rendered in Chinese as staff see
it, fresh and refused, has no Django dashes ("---------") nor Django's formset wording
("请至少提交 1 个表单。"), no colon after a label that already ends in punctuation ("。："),
its required fields marked (visibly and for a screen reader), and, once refused, an
error summary at the top whose every line links to its field. The visit form shows the
rule of answering on the spot beside the two fields it concerns."""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from rosters.models import DutyAssignment
from visits.models import Case

from .factories import DutyShiftFactory, MemberFactory, community_visit
from .form_pages import Element, squash, tree
from .posts import act, visit_data

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

PUNCTUATION_THEN_COLON = re.compile(r"[。？！：?!.:]\s*[：:]$")


@pytest.fixture
def zh(sign_in, staff):
    """This workstation's liaison, reading the site in Chinese (its default)."""
    return sign_in(staff, language="zh-hans")


@pytest.fixture
def duty(workstation, member_user):
    shift = DutyShiftFactory(workstation=workstation, date=timezone.localdate() + timedelta(days=3))
    MemberFactory(name="王委员", home_workstation=workstation)
    return DutyAssignment.objects.create(shift=shift, member=member_user.member)


@pytest.fixture
def activity(staff, workstation):
    return community_visit(staff, workstation)


def empty_visit(workstation, total: int) -> dict:
    """A visit form posted with `total` issue blocks, all left empty."""
    data = visit_data(workstation, **{"issues-TOTAL_FORMS": str(total)})
    for key in [k for k in data if k.startswith("issues-") and k[7].isdigit()]:
        data[key] = ""
    return data


class Pages:
    """Staff form pages by name, each rendered when first asked for."""

    def __init__(self, makers: dict):
        self.makers, self.rendered = makers, {}

    def __getitem__(self, name: str):
        if name not in self.rendered:
            response = self.makers[name]()
            assert response.status_code in (200, 400), (name, response.status_code)
            assert "<form" in response.content.decode(), name
            self.rendered[name] = response
        return self.rendered[name]

    def items(self):
        return [(name, self[name]) for name in self.makers]


@pytest.fixture
def staff_form_pages(zh, world, workstation, duty, activity) -> Pages:
    """Every staff page with a form, as a liaison gets it in Chinese: fresh, and refused."""
    cases = {}

    def case(name: str):
        if name not in cases:
            cases[name] = getattr(world, name)(workstation)
        return cases[name]

    def case_page(name: str):
        return lambda: zh.get(f"/cases/{case(name).number}/")

    makers = {
        f"case page, {name}": case_page(name)
        for name in ("submitted", "registered", "referred", "resolved", "closed")
    }
    makers |= {
        "visit form": lambda: zh.get("/visits/new/"),
        "visit form, refused: nothing filled in": lambda: zh.post(
            "/visits/new/",
            {"issues-TOTAL_FORMS": "3", "issues-INITIAL_FORMS": "0", "submission_id": "x"},
        ),
        "visit form, refused: no issue": lambda: zh.post(
            "/visits/new/", empty_visit(workstation, 3)
        ),
        "visit form, refused: too many issues": lambda: zh.post(
            "/visits/new/", empty_visit(workstation, 11)
        ),
        "case list": lambda: zh.get("/cases/"),
        "case page, refused step": lambda: act(
            zh, case("registered"), "refer", department="", role=""
        ),
        "case page, refused ending step": lambda: act(zh, case("registered"), "reject", reason=""),
        "case page, refused correction": lambda: act(
            zh, case("registered"), "transfer", workstation="", reason=""
        ),
        "case page, refused proposal draft": lambda: zh.post(
            f"/cases/{case('registered').number}/proposals/new/", {"proposal-title": ""}
        ),
        "activity form": lambda: zh.get("/activities/new/"),
        "activity form, refused": lambda: zh.post("/activities/new/", {"title": ""}),
        "activity page": lambda: zh.get(f"/activities/{activity.pk}/"),
        "duty change page": lambda: zh.get(f"/rosters/assignments/{duty.pk}/change/"),
        "duty change page, refused leave": lambda: zh.post(
            f"/rosters/assignments/{duty.pk}/leave/", {"reason": ""}
        ),
        "duty change page, refused swap": lambda: zh.post(
            f"/rosters/assignments/{duty.pk}/swap/", {"other": "0"}
        ),
        "roster week": lambda: zh.get(f"/rosters/{workstation.slug}/week/"),
    }
    return Pages(makers)


def test_no_staff_form_shows_django_dashes_or_django_formset_wording(staff_form_pages):
    for name, response in staff_form_pages.items():
        page = response.content.decode()
        assert "---------" not in page, name
        assert "请至少提交" not in page and "请最多提交" not in page, name
        assert "这个字段是必填项" not in page, name


def test_no_id_is_used_twice_on_a_staff_form_page(staff_form_pages):
    # The summary's links and the labels find their field by its id.
    for name, response in staff_form_pages.items():
        ids = [e.attrs["id"] for e in tree(response).iter() if e.attrs.get("id")]
        assert len(ids) == len(set(ids)), (name, sorted({i for i in ids if ids.count(i) > 1}))


def test_the_empty_choice_of_a_select_says_请选择(staff_form_pages):
    page = tree(staff_form_pages["visit form"])

    empty = [
        squash(option.text())
        for select in page.select("select")
        for option in select.select("option", value="")
    ]
    assert empty and set(empty) == {"请选择"}


def labels(response) -> list[Element]:
    return tree(response).select("label")


def test_no_label_has_a_colon_after_its_own_punctuation(staff_form_pages):
    checked = 0
    for name, response in staff_form_pages.items():
        for label in labels(response):
            text = squash(label.text())
            assert not PUNCTUATION_THEN_COLON.search(text), (name, text)
            checked += 1
    assert checked > 100


def test_a_label_ending_in_a_full_stop_takes_no_colon_and_the_others_take_a_chinese_one(
    staff_form_pages,
):
    page = tree(staff_form_pages["case page, submitted"])

    withdraw = page.one("label", **{"for": "id_withdraw-confirm"})
    assert squash(withdraw.visible_text()) == "*群众本人要求撤回此诉求。"
    reason = page.one("label", **{"for": "id_reject-reason"})
    assert squash(reason.visible_text()) == "*理由（向群众说明的内容）："
    note = page.one("label", **{"for": "id_accept-note"})
    assert squash(note.visible_text()) == "备注："


def field_of(page: Element, field_id: str) -> Element:
    control = page.one(id=field_id)
    return next(a for a in control.ancestors() if "field" in a.classes)


@pytest.mark.parametrize(
    ("page_name", "required", "optional"),
    [
        (
            "visit form",
            ["id_workstation", "id_visited_at", "id_channel", "id_issues-0-title"],
            ["id_visitor_phone", "id_summary", "id_issues-0-answer", "id_receiving_members"],
        ),
        ("case page, registered", ["id_refer-department", "id_reject-reason"], ["id_refer-note"]),
        ("activity form", ["id_kind", "id_title", "id_workstations"], ["id_participants"]),
        ("duty change page", ["id_leave_substitute", "id_leave_reason", "id_swap_other"], []),
    ],
)
def test_required_fields_are_marked_for_the_eye_and_for_a_screen_reader(
    staff_form_pages, page_name, required, optional
):
    page = tree(staff_form_pages[page_name])

    for field_id in required:
        block = field_of(page, field_id)
        assert "required" in block.classes, field_id
        label = block.select("label")[0]
        assert label.one("span", class_="required-mark").attrs["aria-hidden"] == "true"
        assert squash(label.one("span", class_="visually-hidden").text()) == "（必填）"
    for field_id in optional:
        block = field_of(page, field_id)
        assert "required" not in block.classes, field_id
        assert not block.select("span", class_="required-mark"), field_id
    assert "带 * 的为必填项" in staff_form_pages["visit form"].content.decode()


def summary_links(page: Element) -> list[tuple[str, str]]:
    summary = page.one("div", class_="error-summary")
    assert summary.attrs["role"] == "alert"
    return [(a.attrs["href"], squash(a.text())) for a in summary.select("a")]


def shown_errors(page: Element) -> int:
    """Errors shown next to fields (the lists inside a field's block)."""
    return sum(
        len(ul.select("li"))
        for ul in page.select("ul", class_="errorlist")
        if any("field" in a.classes for a in ul.ancestors())
    )


@pytest.mark.parametrize(
    "page_name",
    [
        "visit form, refused: nothing filled in",
        "visit form, refused: no issue",
        "case page, refused step",
        "case page, refused ending step",
        "case page, refused correction",
        "case page, refused proposal draft",
        "activity form, refused",
        "duty change page, refused leave",
        "duty change page, refused swap",
    ],
)
def test_a_refused_form_opens_with_a_summary_linking_to_each_field_to_correct(
    staff_form_pages, page_name
):
    page = tree(staff_form_pages[page_name])

    links = summary_links(page)
    assert links
    ids = {element.attrs["id"] for element in page.iter() if "id" in element.attrs}
    for href, _text in links:
        assert href.startswith("#") and href[1:] in ids, href
    field_links = [href for href, _text in links if href.startswith("#id_")]
    assert len(field_links) == shown_errors(page)
    # The summary sits at the top of its form, before the first field.
    summary = page.one("div", class_="error-summary")
    form = next(a for a in summary.ancestors() if a.tag == "form")
    first_field = next(e for e in form.iter() if "field" in e.classes)
    elements = list(form.iter())
    assert elements.index(summary) < elements.index(first_field)


def test_the_summary_names_each_field_and_issue_in_chinese(staff_form_pages):
    page = tree(staff_form_pages["visit form, refused: nothing filled in"])

    links = dict(summary_links(page))

    assert links["#id_visitor_name"] == "来访人姓名：此项必填。"
    assert links["#id_issues-0-title"] == "问题1 · 问题概述：此项必填。"
    summary = page.one("div", class_="error-summary")
    # The page's own hidden field was damaged: said in words, with nothing to link to.
    assert "表单不完整，请检查填写内容后重新保存。" in squash(summary.text())


def test_a_box_whose_label_is_a_sentence_is_named_in_the_summary_by_its_message_alone(
    staff_form_pages,
):
    page = tree(staff_form_pages["case page, refused ending step"])

    links = summary_links(page)

    assert ("#id_reject-confirm", "请勾选此框以确认。") in links
    assert ("#id_reject-reason", "理由（向群众说明的内容）：此项必填。") in links


def test_too_few_and_too_many_issues_are_refused_in_plain_words(staff_form_pages):
    few = tree(staff_form_pages["visit form, refused: no issue"])
    many = tree(staff_form_pages["visit form, refused: too many issues"])

    assert ("#issues", "请至少填写一个群众反映的问题。") in summary_links(few)
    issues = many.one("div", id="issues")
    assert "一次来访最多登记 10 个问题，其余问题请另登记一次来访。" in squash(issues.text())


def test_the_answered_on_the_spot_rule_stands_beside_the_answer_and_the_satisfaction(
    staff_form_pages,
):
    page = tree(staff_form_pages["visit form"])

    for index in range(3):
        rule = page.one("p", id=f"issues-{index}-on-the-spot-rule")
        group = rule.parent
        assert group.tag == "fieldset" and squash(group.child("legend").text()) == "当场答复"
        assert "不满意" in rule.text() and "满意" in rule.text()
        for name in ("answer", "satisfaction"):
            control = group.one(id=f"id_issues-{index}-{name}")
            assert rule.attrs["id"] in control.attrs["aria-describedby"].split()


def test_without_javascript_the_visit_form_has_a_fixed_set_of_issues_and_a_hidden_add_button(
    staff_form_pages,
):
    page = tree(staff_form_pages["visit form"])

    issues = page.one("div", id="issues")
    fieldsets = issues.one("div", data_issue_list="").select("fieldset", class_="issue")
    assert len(fieldsets) == 3
    assert issues.one("input", name="issues-TOTAL_FORMS").attrs["value"] == "3"
    assert issues.one("button", data_add_issue="").has("hidden")
    # The empty issue the script copies is inert until then: nothing of it is posted.
    template = issues.one("template", id="issue-template")
    assert template.select("input", name="issues-__prefix__-title")
    assert not page.select("input", name="issues-3-title")


def test_a_visit_with_a_fourth_issue_added_by_the_script_is_saved_with_it(zh, workstation):
    data = visit_data(workstation, **{"issues-TOTAL_FORMS": "4"})
    data |= {
        "submission_id": str(uuid.uuid4()),
        "issues-2-title": "",
        "issues-3-title": "小区门口路灯不亮",
        "issues-3-category": "environment",
    }

    response = zh.post("/visits/new/", data)

    assert response.status_code == 302
    assert set(Case.objects.values_list("title", flat=True)) == {
        "小区物业长期不作为",
        "灵活就业人员社保怎么交",
        "小区门口路灯不亮",
    }
