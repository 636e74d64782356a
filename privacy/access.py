"""Who handles citizens' personal information requests: the district office alone, in
admin. Role logic for this app lives here only."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from workstations import roles


def may_handle_requests(user: AbstractBaseUser | AnonymousUser) -> bool:
    return roles.is_administrator(user)
