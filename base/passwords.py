"""Passwords must not be built from the district's or this project's own words: the
first words anyone guessing a liaison's password would try."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Matched case-insensitively inside the password once digits, spaces and punctuation
# are taken out ("Xin-Cheng 2026" holds "xincheng").
DISTRICT_WORDS = (
    # The district, the city, the committee, this project.
    "xincheng", "新城", "xian", "西安", "cppcc", "zhengxie", "政协", "weiyuan", "委员",
    "workstation", "gongzuoshi", "工作室",
    # The nine streets, in pinyin and in Chinese.
    "xiyilu", "西一路", "changle", "长乐", "zhongshanmen", "中山门", "hansenzhai", "韩森寨",
    "jiefangmen", "解放门", "ziqianglu", "自强路", "taihualu", "太华路", "hujiamiao", "胡家庙",
)  # fmt: skip
_NOT_LETTERS = re.compile(r"[\W\d_]+")


class DistrictWordsValidator:
    """An AUTH_PASSWORD_VALIDATORS entry (config/settings.py)."""

    def validate(self, password: str, user=None) -> None:
        letters = _NOT_LETTERS.sub("", password.casefold())
        word = next((w for w in DISTRICT_WORDS if w in letters), None)
        if word is not None:
            raise ValidationError(
                _(
                    "This password contains “%(word)s”: a password must not use the "
                    "district's, its streets' or this project's own words."
                ),
                code="password_district_word",
                params={"word": word},
            )

    def get_help_text(self) -> str:
        return _(
            "Your password can’t contain the name of the district, its streets, the CPPCC "
            "or this project."
        )
