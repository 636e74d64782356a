# The texts the office starts from, one per event on the in-app inbox (e-mail says the
# same unless the office writes its own); editable in admin.

from django.db import migrations

DEFAULTS = [
    (
        "referral_sent",
        "新转办件：{number}",
        "{workstation}转来诉求“{title}”，请于{due}前签收。",
    ),
    (
        "supervision_opened",
        "督办：{number}（{level}）",
        "区政协办公室对“{title}”发出{level}，督办对象：{supervised}，请于{due}前答复。",
    ),
    (
        "extension_decided",
        "延期申请已处理：{number}",
        "“{title}”的延期申请：{decision}，答复期限为{due}。",
    ),
    (
        "referral_due_soon",
        "转办件明日到期：{number}",
        "“{title}”的{owed}期限为{due}（下一个工作日），请及时办理。",
    ),
    (
        "referral_overdue",
        "转办件已逾期：{number}",
        "“{title}”的{owed}期限{due}已过，请尽快办理。",
    ),
    (
        "staff_digest",
        "今日待办（{date}）",
        "本工作室有{overdue}件诉求已逾期，{supervised}件督办待答复。",
    ),
    (
        "case_assigned",
        "请您参与办理：{number}",
        "{member}委员：{workstation}请您参与办理“{title}”。",
    ),
    (
        "duty_changed",
        "值班变动：{date}",
        "{member}委员：您将于{date} {time}在{workstation}（{address}）接替{instead_of}值班。",
    ),
    (
        "office_weekly",
        "本周逾期与督办情况（{week}）",
        "逾期诉求{overdue_cases}件，部门逾期转办件{overdue_referrals}件；待答复督办{supervisions}件，其中已过期限{supervisions_late}件。",
    ),
    (
        "duty_tomorrow",
        "明日值班提醒",
        "{member}委员：您明天（{date}）{time}在{workstation}值班，地址：{address}，活动组：{group}。",
    ),
]


# The citizens' SMS: the provider sends only templates it approved, whose code the office
# enters once it has it (SMS_000000 until then).
CITIZEN_SMS = [
    ("case_registered", "【新城区政协】您反映的问题已由{workstation}登记，编号{number}，凭回执上的查询码可在{track_url}查看进展。"),
    ("case_rejected", "【新城区政协】您在线反映的问题（编号{number}）未予受理：{reason}"),
    ("case_referred", "【新城区政协】您反映的问题（编号{number}）已转{department}办理，进展可在{track_url}查看。"),
    ("case_replied", "【新城区政协】承办部门已答复您反映的问题（编号{number}），详见{track_url}。"),
    ("case_resolved", "【新城区政协】您反映的问题（编号{number}）已办结，欢迎在{track_url}评价办理结果。"),
]


def create(apps, schema_editor):
    MessageTemplate = apps.get_model("notices", "MessageTemplate")
    for event, subject, body in DEFAULTS:
        MessageTemplate.objects.get_or_create(
            event=event, channel="inbox", defaults={"subject": subject, "body": body}
        )
    for event, body in CITIZEN_SMS:
        MessageTemplate.objects.get_or_create(
            event=event,
            channel="sms",
            defaults={"body": body, "provider_template_code": "SMS_000000"},
        )


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
