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
        "duty_tomorrow",
        "明日值班提醒",
        "{member}委员：您明天（{date}）{time}在{workstation}值班，地址：{address}，活动组：{group}。",
    ),
]


def create(apps, schema_editor):
    MessageTemplate = apps.get_model("notices", "MessageTemplate")
    for event, subject, body in DEFAULTS:
        MessageTemplate.objects.get_or_create(
            event=event, channel="inbox", defaults={"subject": subject, "body": body}
        )


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
