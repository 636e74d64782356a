"""The inventory of personal information (PIPL art. 51; GB/T 35273 §5): every field of
every model that holds it, whose it is, why it is held, and how long it is kept.

tests/test_personal_data_inventory.py reads every model's fields: one whose name says it
may hold personal information (a name, phone, address, e-mail, openid, an address of a
computer...) must be listed here or in NOT_PERSONAL with the reason, and every entry here
must name a field that exists. A new personal field cannot be added unnoticed.
"""

from dataclasses import dataclass

CITIZEN, MEMBER, USER, OFFICIAL = "citizen", "member", "user", "official"

WITH_THE_CASE = "as long as the case record is kept (the office's archive rules)"
WHILE_SERVING = "while the person serves; removed or anonymised when they leave"
# Honest about what is not limited yet: the retention command is still to be built.
NO_LIMIT_YET = "no limit yet (a retention command is to come)"
# The retention command (privacy.retention, `manage.py anonymise_closed_cases`).
UNTIL_ANONYMISED = (
    "until CLOSED_CASE_RETENTION_DAYS (three years by default) after its cases ended, "
    "or the citizen's deletion request; then anonymised"
)
MESSAGES_REMOVED = "removed when the case's visit is anonymised (UNTIL_ANONYMISED)"
REQUEST_RECORD = "the office's record of its answer: no limit in the software yet"
FAILED_SIGN_INS = "until the 15-minute cool-off ends (django-axes removes them at a sign-in)"
AUDIT_LOG = "at least 183 days (the audit log's retention)"


@dataclass(frozen=True)
class PersonalField:
    label: str  # "app_label.Model.field"
    subject: str  # whose information it is
    purpose: str
    retention: str
    masked: bool = False  # masked by default wherever shown (visits/masking.py)
    encrypted: bool = False  # only a token in the database (base/encrypted.py)


INVENTORY: tuple[PersonalField, ...] = (
    # The citizen who brought a problem: to handle it, and tell them how it went.
    PersonalField("visits.Visit.visitor_name", CITIZEN, "who brought the problem",
                  UNTIL_ANONYMISED, masked=True),
    PersonalField("visits.Visit.visitor_phone", CITIZEN,
                  "contacting the citizen about the case; SMS progress when consented",
                  UNTIL_ANONYMISED, masked=True),
    PersonalField("visits.Visit.visitor_address", CITIZEN,
                  "where the problem is, for the departments' site visits", UNTIL_ANONYMISED,
                  masked=True),
    PersonalField("visits.Visit.visitor_id_number", CITIZEN,
                  "who the citizen is, when the handling needs it (staff form only; never "
                  "asked online)", UNTIL_ANONYMISED, masked=True, encrypted=True),
    PersonalField("visits.Visit.visitor_id_number_hash", CITIZEN,
                  "finding the citizen's visits by ID number (access requests): a keyed "
                  "hash, not the number, never shown", UNTIL_ANONYMISED),
    PersonalField("visits.Visit.summary", CITIZEN,
                  "what was said at the visit (free text: may name people)", WITH_THE_CASE),
    PersonalField("visits.Case.description", CITIZEN,
                  "the problem in the citizen's words (free text: may name people)",
                  WITH_THE_CASE),
    PersonalField("visits.Case.lookup_code", CITIZEN,
                  "the citizen's own key to look up the case's progress", UNTIL_ANONYMISED),
    PersonalField("visits.CaseEvent.note", CITIZEN,
                  "the timeline's notes (free text: may name people)", WITH_THE_CASE),
    PersonalField("visits.Case.satisfaction", CITIZEN,
                  "how satisfied the citizen was, told at the follow-up", WITH_THE_CASE),
    PersonalField("visits.CaseEvent.satisfaction", CITIZEN,
                  "the same, on the follow-up's step of the timeline", WITH_THE_CASE),
    PersonalField("visits.Referral.reply", CITIZEN,
                  "a department's reply (free text: may name people)", WITH_THE_CASE),
    PersonalField("visits.CaseSearchText.tokens", CITIZEN,
                  "the search index of the case's text", WITH_THE_CASE),
    PersonalField("notices.Notification.address", CITIZEN,
                  "the phone or WeChat openid a message went to", MESSAGES_REMOVED,
                  masked=True),
    PersonalField("notices.Notification.params", CITIZEN,
                  "the values a message's template was filled with", MESSAGES_REMOVED),
    PersonalField("notices.Notification.body", CITIZEN, "the text of a message sent",
                  MESSAGES_REMOVED),
    # A citizen's request about their personal information, kept as the office's record
    # of having answered it.
    PersonalField("privacy.DataRequest.phone", CITIZEN,
                  "the number whose records the citizen asks about", REQUEST_RECORD,
                  masked=True),
    PersonalField("privacy.DataRequest.asked", CITIZEN,
                  "what the citizen asks (free text: may name people)", REQUEST_RECORD),
    PersonalField("privacy.DataRequest.outcome", CITIZEN,
                  "what was done or corrected (free text: may name people)", REQUEST_RECORD),
    # Members: what the office publishes of them, with their agreement.
    PersonalField("members.Member.name", MEMBER, "rosters, the column, report cards",
                  WHILE_SERVING),
    PersonalField("members.Member.employer", MEMBER, "the member's sector and work", WHILE_SERVING),
    PersonalField("members.Member.job_title", MEMBER, "the member's sector and work",
                  WHILE_SERVING),
    PersonalField("members.Member.photo", MEMBER, "the column's member page, when published",
                  WHILE_SERVING),
    PersonalField("members.Member.bio", MEMBER, "the column's member page, when published",
                  WHILE_SERVING),
    PersonalField("members.Member.public_contact", MEMBER,
                  "how citizens reach the member, when published", WHILE_SERVING),
    PersonalField("members.Member.calendar_token", MEMBER,
                  "the secret address of the member's duty calendar", WHILE_SERVING),
    # Accounts of staff, members, liaisons and administrators.
    PersonalField("auth.User.username", USER, "signing in", WHILE_SERVING),
    PersonalField("auth.User.first_name", USER, "naming who did what", WHILE_SERVING),
    PersonalField("auth.User.last_name", USER, "naming who did what", WHILE_SERVING),
    PersonalField("auth.User.email", USER, "password reset by the office", WHILE_SERVING),
    PersonalField("notices.WechatFollower.openid", USER,
                  "sending a user's messages by WeChat", "until the office removes it (admin)"),
    PersonalField("audit.AuditEntry.ip_address", USER, "who did what, from where",
                  AUDIT_LOG),
    PersonalField("axes.AccessAttempt.ip_address", USER, "locking out password guessing",
                  FAILED_SIGN_INS),
    PersonalField("axes.AccessAttempt.username", USER, "locking out password guessing",
                  FAILED_SIGN_INS),
    PersonalField("axes.AccessFailureLog.ip_address", USER, "the record of failed sign-ins",
                  NO_LIMIT_YET),
    PersonalField("axes.AccessFailureLog.username", USER, "the record of failed sign-ins",
                  NO_LIMIT_YET),
    PersonalField("axes.AccessLog.ip_address", USER, "the record of sign-ins", NO_LIMIT_YET),
    PersonalField("axes.AccessLog.username", USER, "the record of sign-ins", NO_LIMIT_YET),
    # A department's contact for the office: a work contact, published to staff only.
    PersonalField("workstations.Department.contact_name", OFFICIAL,
                  "whom the office calls about a referral", WHILE_SERVING),
    PersonalField("workstations.Department.contact_phone", OFFICIAL,
                  "whom the office calls about a referral", WHILE_SERVING),
)  # fmt: skip

# Fields whose names look personal but are not, and why.
NOT_PERSONAL: dict[str, str] = {
    "contenttypes.ContentType.model": "a model's name",
    "auth.Permission.name": "a permission's name",
    "auth.Permission.codename": "a permission's code",
    "auth.Group.name": "a role's name",
    "otp_totp.TOTPDevice.name": "the device's label, always 'authenticator'",
    "otp_static.StaticDevice.name": "the device's label, always 'recovery codes'",
    "workstations.Workstation.name": "an office's name",
    "workstations.Workstation.address": "an office's address, published",
    "workstations.Workstation.phone": "an office's phone, published",
    "workstations.Department.name": "a department's name",
    "members.Sector.name": "a sector's name",
    "members.ActivityGroup.name": "a group's name",
    "visits.Visit.visitor_count": "a number of people",
    "visits.Referral.contact_share_reason": "why contact details were shared (staff's words)",
    "visits.Referral.contact_shared_by": "the staff member who shared them",
    "visits.Referral.contact_shared_at": "when",
    "workdays.SpecialDay.name": "a holiday's name",
    "django_tasks_database.DBTaskResult.queue_name": "a queue's name",
    "django_tasks_database.DBTaskResult.backend_name": "a backend's name",
}
