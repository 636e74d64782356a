"""Masking of citizens' personal information for display (PIPL: minimum exposure)."""

from django.utils.translation import gettext


def mask_phone(phone: str) -> str:
    """138****1234 for a mobile; the last four digits only for anything else."""
    if not phone:
        return ""
    if len(phone) == 11 and phone.isdigit():
        return f"{phone[:3]}****{phone[-4:]}"
    return "*" * max(len(phone) - 4, 1) + phone[-4:]


def mask_name(name: str) -> str:
    """张** for 张三丰: the family name only."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_address(address: str) -> str:
    """*** for any address: even a part of one narrows a citizen down to a building."""
    return "***" if address else ""


def mask_id_number(number: str) -> str:
    """6101**********123X: the first four digits (the city) and the last four, enough to
    tell it against the card a citizen shows; the county, the birth date and the rest
    never. Anything but 18 characters is starred whole."""
    if not number:
        return ""
    if len(number) == 18:
        return f"{number[:4]}{'*' * 10}{number[-4:]}"
    return "*" * len(number)


def visitor_id_number(visit, *, revealed: bool) -> str:
    """A visitor's ID number as the workstation's pages show it: masked unless revealed.
    Apart from `visitor_contact`, which departments are shown too: a department is never
    given the ID number (data minimisation), even where it is given the contact details."""
    return visit.visitor_id_number if revealed else mask_id_number(visit.visitor_id_number)


def visitor_contact(visit, *, revealed: bool) -> dict[str, str]:
    """A visitor's name, phone and address as a page shows them: masked unless revealed
    (the reveal is the view's to allow and audit)."""
    if revealed:
        return {
            "name": visit.visitor_name,
            "phone": visit.visitor_phone,
            "address": visit.visitor_address,
        }
    return {
        "name": mask_name(visit.visitor_name),
        "phone": mask_phone(visit.visitor_phone),
        "address": mask_address(visit.visitor_address),
    }


def reveal_detail(visit) -> str:
    """What the audit log keeps of a reveal of the visit's details: what was shown, never
    the values."""
    if visit.visitor_id_number:
        return gettext("visitor's contact details and ID number")
    return gettext("visitor's contact details")
