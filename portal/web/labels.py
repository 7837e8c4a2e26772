"""Translated labels for enum members, kept apart per enum.

StrEnum members with the same value are equal and hash alike (``Gender.OTHER == ClientLanguage.OTHER``
because both are "other"), so one plain dict would give one of them the other's label. EnumLabels keys
each label by the member's enum class and value.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping


class EnumLabels(Mapping):
    def __init__(self, *tables: Mapping[enum.Enum, object]) -> None:
        self._labels = {(type(member), member.value): text for table in tables for member, text in table.items()}

    def __getitem__(self, member: enum.Enum):
        return self._labels[(type(member), member.value)]

    def __iter__(self):
        return (cls(value) for cls, value in self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def __contains__(self, member) -> bool:
        return isinstance(member, enum.Enum) and (type(member), member.value) in self._labels
