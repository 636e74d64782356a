"""Masking of citizens' personal information for display (PIPL: minimum exposure)."""


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
