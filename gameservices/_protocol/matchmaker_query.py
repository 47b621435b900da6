"""The subset of Nakama's matchmaker query syntax (Bluge query strings) that both sides share.

A query is terms separated by spaces; each term is one of:

- ``*``: matches every ticket;
- ``[+|-]properties.NAME:VALUE``: the string property NAME equals VALUE (a word, or a
  ``"quoted phrase"``); ``+`` must match, ``-`` must not, no prefix should;
- ``[+|-]properties.NAME:>=N`` (also ``>``, ``<=``, ``<``, and ``:N`` for equality): the
  numeric property NAME compared with the number N.

Rule 1: a ticket matches when every ``+`` term matches, no ``-`` term does, and, when the
        query has no ``+`` term, at least one plain term does (or it is ``*``).
Rule 2: ``parse`` raises ``ValueError`` (Nakama's "Invalid matchmaker query") for anything
        outside this subset: fuzzy, regex, boosts, ranges in brackets, fields other than
        ``properties.*``. The server refuses such a ticket rather than guess.
Rule 3: ``parse(query, field="label")`` reads the same subset over ``label.NAME`` (a party
        listing's query, on the fields of the party's label).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Query", "Term", "parse"]

_TERM = (
    r"(?P<occur>[+-]?){field}\.(?P<name>[A-Za-z0-9_]+):"
    r'(?:(?P<op>>=|<=|>|<)(?P<num>-?\d+(?:\.\d+)?)|"(?P<phrase>[^"]*)"|(?P<word>[^\s"~*?\[\]{}()^:\\/]+))'
)
_TERMS = {field: re.compile(_TERM.replace("{field}", field)) for field in ("properties", "label")}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?\Z")


@dataclass(frozen=True)
class Term:
    occur: str  # "+", "-" or ""
    name: str
    op: str  # "=" for strings and numeric equality, else a comparison
    value: str | float
    raw: str = ""  # a number written as a word also matches the same string property

    def matches(self, strings: Mapping[str, str], numbers: Mapping[str, float]) -> bool:
        if isinstance(self.value, float):
            have = numbers.get(self.name)
            if have is None:
                return bool(self.raw) and strings.get(self.name) == self.raw
            return {
                "=": have == self.value, ">=": have >= self.value, ">": have > self.value,
                "<=": have <= self.value, "<": have < self.value,
            }[self.op]  # fmt: skip
        return strings.get(self.name) == self.value


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]
    match_all: bool = False

    def matches(self, strings: Mapping[str, str], numbers: Mapping[str, float]) -> bool:
        """Rule 1."""
        must = [t for t in self.terms if t.occur == "+"]
        should = [t for t in self.terms if t.occur == ""]
        if any(t.matches(strings, numbers) for t in self.terms if t.occur == "-"):
            return False
        if not all(t.matches(strings, numbers) for t in must):
            return False
        if must or self.match_all:
            return True
        return any(t.matches(strings, numbers) for t in should)


def parse(query: str, field: str = "properties") -> Query:
    """Rules 2 and 3."""
    pattern = _TERMS[field]
    terms: list[Term] = []
    match_all = False
    for token in _split(query):
        if token == "*":
            match_all = True
            continue
        m = pattern.fullmatch(token)
        if m is None:
            raise ValueError(f"Invalid matchmaker query: unsupported term {token[:40]!r}")
        occur, name = m["occur"], m["name"]
        if m["op"]:
            terms.append(Term(occur, name, m["op"], float(m["num"])))
        elif m["phrase"] is not None:
            terms.append(Term(occur, name, "=", m["phrase"]))
        elif _NUMBER.match(m["word"]):
            terms.append(Term(occur, name, "=", float(m["word"]), m["word"]))
        else:
            terms.append(Term(occur, name, "=", m["word"]))
    if not terms and not match_all:
        raise ValueError("Invalid matchmaker query: it is empty")
    return Query(tuple(terms), match_all)


def _split(query: str) -> list[str]:
    """Terms split on spaces outside quotes."""
    parts = re.findall(r'(?:[^\s"]+|"[^"]*")+', query)
    if query.count('"') % 2:
        raise ValueError("Invalid matchmaker query: an unclosed quote")
    return parts
