"""Eligibility conditions: check a tree, evaluate it for one enterprise (Python), or for all of
them at once (a SQL expression). Three-valued (Kleene): True, False, or None for unknown.

A tree is a JSON document (docs/adr/0013-policies-eligibility.md):

- ``{}``: every enterprise (always true);
- ``{"all": [node, ...]}``, ``{"any": [node, ...]}``, ``{"not": node}``;
- a leaf ``{"field": F, ..., "clause": "第三条"}`` naming the clause behind it, where F is
  ``industry_section`` / ``industry_division`` / ``size`` / ``street`` / ``park`` /
  ``ownership`` / ``qualification`` / ``tag`` with ``"values": [...]`` (any of them),
  ``registered_capital`` / ``years_since_founding`` with ``"min"`` and/or ``"max"``, or
  ``declared`` with ``"key"`` and ``"text"`` (what cannot be typed: unknown unless the
  enterprise declared it).

An unknown fact (an empty street, no registered capital, a qualification neither held nor
declared absent) makes its leaf unknown, never false; the SQL compilation keeps that as NULL.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

SET_FIELDS = ("industry_section", "industry_division", "size", "street", "park", "ownership",
              "qualification", "tag")
RANGE_FIELDS = ("registered_capital", "years_since_founding")
FIELDS = SET_FIELDS + RANGE_FIELDS + ("declared",)
# Facts that may be unknown on an enterprise ("" or NULL), by field.
_TEXT_FACTS = ("industry_division", "street", "park", "ownership")
_KEY = re.compile(r"^[a-z0-9_-]{1,60}$")


def years_before(day: datetime.date, years: int) -> datetime.date:
    """`day` moved back `years` years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# --- validation -----------------------------------------------------------------------------


def _number(value, what: str, errors: list[str]):
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.append(_("“%(v)s” is not a number (%(what)s).") % {"v": value, "what": what})
        return None


def validate_tree(tree, *, clauses: set[str] | None = None) -> list[str]:
    """Return the translated reasons `tree` is refused (empty when it is sound)."""
    errors: list[str] = []
    if tree in (None, {}):
        return errors
    _check(tree, clauses, errors, depth=0)
    return errors


def _check(node, clauses, errors, depth):
    if depth > 20:
        errors.append(_("The conditions are nested too deeply."))
        return
    if not isinstance(node, dict):
        errors.append(_("Each condition must be an object."))
        return
    ops = [k for k in ("all", "any", "not") if k in node]
    if ops:
        if len(node) != 1:
            errors.append(_("“%(op)s” stands alone in its object.") % {"op": ops[0]})
            return
        op = ops[0]
        if op == "not":
            _check(node["not"], clauses, errors, depth + 1)
        elif not isinstance(node[op], list) or not node[op]:
            errors.append(_("“%(op)s” needs a list of at least one condition.") % {"op": op})
        else:
            for child in node[op]:
                _check(child, clauses, errors, depth + 1)
        return
    name = node.get("field")
    if name not in FIELDS:
        errors.append(_("Unknown condition field “%(f)s”. Known fields: %(known)s.")
                      % {"f": name, "known": ", ".join(FIELDS)})
        return
    clause = node.get("clause")
    if not clause:
        errors.append(_("The condition on “%(f)s” names no clause.") % {"f": name})
    elif clauses is not None and str(clause) not in clauses:
        errors.append(_("The condition on “%(f)s” names clause “%(c)s”, which the policy does "
                        "not have.") % {"f": name, "c": clause})
    if name in SET_FIELDS:
        values = node.get("values")
        if (not isinstance(values, list) or not values
                or not all(isinstance(v, str) and v for v in values)):
            errors.append(_("The condition on “%(f)s” needs a list of values.") % {"f": name})
    elif name in RANGE_FIELDS:
        low = _number(node.get("min"), name, errors)
        high = _number(node.get("max"), name, errors)
        if low is None and high is None and not errors:
            errors.append(_("The condition on “%(f)s” needs a minimum or a maximum.")
                          % {"f": name})
        for bound in (low, high):
            if bound is not None and bound < 0:
                errors.append(_("The condition on “%(f)s” has a negative bound.") % {"f": name})
        if low is not None and high is not None and low > high:
            errors.append(_("The condition on “%(f)s” is impossible: the minimum %(lo)s is above "
                            "the maximum %(hi)s.") % {"f": name, "lo": low, "hi": high})
    else:
        if not _KEY.match(str(node.get("key", ""))) or not node.get("text"):
            errors.append(_("A free-text condition needs a key (lower-case letters, digits, "
                            "dashes) and a text."))
    extra = set(node) - {"field", "clause", "values", "min", "max", "key", "text"}
    if extra:
        errors.append(_("Unknown condition field “%(f)s”. Known fields: %(known)s.")
                      % {"f": ", ".join(sorted(extra)), "known": ", ".join(FIELDS)})


def leaves(tree) -> list[dict]:
    if not tree:
        return []
    if "all" in tree or "any" in tree:
        return [leaf for child in tree.get("all", tree.get("any")) for leaf in leaves(child)]
    if "not" in tree:
        return leaves(tree["not"])
    return [tree]


def leaf_facts(leaf: dict) -> list[str]:
    """The fact keys that decide `leaf` (reported as missing while unknown)."""
    name = leaf["field"]
    if name == "qualification":
        return [f"qualification:{code}" for code in leaf["values"]]
    if name == "declared":
        return [f"declared:{leaf['key']}"]
    if name == "years_since_founding":
        return ["founded_on"]
    if name in ("industry_section", "size", "tag"):
        return []  # always known
    return [name]


# --- Python ---------------------------------------------------------------------------------


@dataclass
class Profile:
    """The facts of one enterprise; None or "" means unknown."""

    industry_section: str = ""
    industry_division: str = ""
    size: str = ""
    registered_capital: Decimal | None = None
    founded_on: datetime.date | None = None
    street: str = ""
    park: str = ""
    ownership: str = ""
    tags: list[str] = field(default_factory=list)
    qualifications: set[str] = field(default_factory=set)
    declarations: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def of(cls, enterprise, *, qualifications, declarations) -> Profile:
        return cls(
            industry_section=enterprise.industry_id, industry_division=enterprise.industry_division,
            size=enterprise.size, registered_capital=enterprise.registered_capital,
            founded_on=enterprise.founded_on, street=enterprise.street, park=enterprise.park,
            ownership=enterprise.ownership, tags=list(enterprise.tags),
            qualifications=set(qualifications), declarations=dict(declarations),
        )

    @classmethod
    def from_json(cls, data: dict) -> Profile:
        """A test case's imagined enterprise (keys as the fields; a date as YYYY-MM-DD)."""
        founded = data.get("founded_on")
        capital = data.get("registered_capital")
        return cls(
            industry_section=str(data.get("industry_section", "")),
            industry_division=str(data.get("industry_division", "")),
            size=str(data.get("size", "")),
            registered_capital=None if capital in (None, "") else Decimal(str(capital)),
            founded_on=datetime.date.fromisoformat(founded) if founded else None,
            street=str(data.get("street", "")), park=str(data.get("park", "")),
            ownership=str(data.get("ownership", "")), tags=list(data.get("tags", [])),
            qualifications=set(data.get("qualifications", [])),
            declarations={str(k): bool(v) for k, v in data.get("declarations", {}).items()},
        )


@dataclass
class Evaluation:
    value: bool | None
    met: list[dict] = field(default_factory=list)     # leaves found true (with their clause)
    missing: list[dict] = field(default_factory=list)  # leaves found unknown

    @property
    def outcome(self) -> str:
        return {True: "eligible", False: "not_eligible", None: "unknown"}[self.value]

    @property
    def missing_facts(self) -> list[str]:
        seen: dict[str, None] = {}
        for leaf in self.missing:
            for key in leaf_facts(leaf):
                seen.setdefault(key)
        return list(seen)


def kleene_and(values) -> bool | None:
    values = list(values)
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def kleene_or(values) -> bool | None:
    values = list(values)
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def kleene_not(value: bool | None) -> bool | None:
    return None if value is None else not value


def evaluate(tree, profile: Profile, *, today: datetime.date) -> Evaluation:
    result = Evaluation(value=None)
    result.value = _eval(tree or {}, profile, today, result, positive=True)
    return result


def _eval(node, p: Profile, today, result: Evaluation, positive: bool):
    if not node:
        return True
    if "all" in node:
        return kleene_and([_eval(c, p, today, result, positive) for c in node["all"]])
    if "any" in node:
        return kleene_or([_eval(c, p, today, result, positive) for c in node["any"]])
    if "not" in node:
        return kleene_not(_eval(node["not"], p, today, result, not positive))
    value = eval_leaf(node, p, today)
    if value is None:
        result.missing.append(node)
    elif value is positive:
        result.met.append(node)
    return value


def eval_leaf(leaf: dict, p: Profile, today) -> bool | None:
    name = leaf["field"]
    if name in SET_FIELDS and name not in ("qualification", "tag"):
        value = p.industry_section if name == "industry_section" else getattr(p, name)
        if not value:
            return None
        return value in leaf["values"]
    if name == "tag":
        return bool(set(p.tags) & set(leaf["values"]))
    if name == "qualification":
        if p.qualifications & set(leaf["values"]):
            return True
        if all(p.declarations.get(f"qualification:{c}") is False for c in leaf["values"]):
            return False
        return None
    if name == "declared":
        return p.declarations.get(f"declared:{leaf['key']}")
    low, high = leaf.get("min"), leaf.get("max")
    if name == "registered_capital":
        if p.registered_capital is None:
            return None
        return ((low is None or p.registered_capital >= Decimal(str(low)))
                and (high is None or p.registered_capital <= Decimal(str(high))))
    # years_since_founding, in whole years
    if p.founded_on is None:
        return None
    return ((low is None or p.founded_on <= years_before(today, int(low)))
            and (high is None or p.founded_on > years_before(today, int(high) + 1)))


# --- SQL ------------------------------------------------------------------------------------
# Over orgs_enterprise aliased "e". Each leaf becomes a boolean expression that is NULL where
# the fact is unknown; AND / OR / NOT in SQL are already Kleene's.

_DECL = "(SELECT d.value FROM policies_declaration d WHERE d.enterprise_id = e.id AND d.key = %s)"


def to_sql(tree, *, today: datetime.date) -> tuple[str, list]:
    """Return (sql, params): a boolean expression over orgs_enterprise "e" (NULL: unknown)."""
    if not tree:
        return "TRUE", []
    if "all" in tree or "any" in tree:
        op, children = ("AND", tree["all"]) if "all" in tree else ("OR", tree["any"])
        parts = [to_sql(c, today=today) for c in children]
        return ("(" + f" {op} ".join(s for s, _p in parts) + ")",
                [x for _s, ps in parts for x in ps])
    if "not" in tree:
        sql, params = to_sql(tree["not"], today=today)
        return f"(NOT {sql})", params
    return leaf_sql(tree, today=today)


def leaf_sql(leaf: dict, *, today) -> tuple[str, list]:
    name = leaf["field"]
    if name == "industry_section":
        return "(e.industry_id = ANY(%s))", [list(leaf["values"])]
    if name == "size":
        return "(NULLIF(e.size, '') = ANY(%s))", [list(leaf["values"])]
    if name in _TEXT_FACTS:
        return f"(NULLIF(e.{name}, '') = ANY(%s))", [list(leaf["values"])]
    if name == "tag":
        return "(e.tags && %s::varchar[])", [list(leaf["values"])]
    if name == "qualification":
        codes = list(leaf["values"])
        return (
            "(CASE WHEN EXISTS (SELECT 1 FROM orgs_enterprise_qualifications eq JOIN "
            "orgs_qualification q ON q.id = eq.qualification_id WHERE eq.enterprise_id = e.id "
            "AND q.code = ANY(%s)) THEN TRUE WHEN (SELECT count(*) FROM policies_declaration d "
            "WHERE d.enterprise_id = e.id AND d.value = FALSE AND d.key = ANY(%s)) = %s "
            "THEN FALSE END)",
            [codes, [f"qualification:{c}" for c in codes], len(set(codes))],
        )
    if name == "declared":
        return _DECL, [f"declared:{leaf['key']}"]
    low, high = leaf.get("min"), leaf.get("max")
    parts, params = [], []
    if name == "registered_capital":
        if low is not None:
            parts.append("e.registered_capital >= %s")
            params.append(Decimal(str(low)))
        if high is not None:
            parts.append("e.registered_capital <= %s")
            params.append(Decimal(str(high)))
    else:
        if low is not None:
            parts.append("e.founded_on <= %s")
            params.append(years_before(today, int(low)))
        if high is not None:
            parts.append("e.founded_on > %s")
            params.append(years_before(today, int(high) + 1))
    return "(" + " AND ".join(parts) + ")", params


def missing_sql(tree, *, today) -> tuple[str, list]:
    """A text[] expression: the fact keys of the leaves that are unknown for "e"."""
    items, params = [], []
    for leaf in leaves(tree):
        facts = leaf_facts(leaf)
        if not facts:
            continue
        sql, ps = leaf_sql(leaf, today=today)
        items.append(f"CASE WHEN {sql} IS NULL THEN %s::text[] END")
        params += ps + [facts]
    if not items:
        return "ARRAY[]::varchar[]", []
    # array_cat ignores NULLs, so leaves that are known add nothing.
    expr = "ARRAY[]::text[]"
    for item in items:
        expr = f"array_cat({expr}, {item})"
    sql = ("(SELECT coalesce(array_agg(DISTINCT x), ARRAY[]::text[]) "  # noqa: S608 (no input)
           f"FROM unnest({expr}) x)::varchar[]")
    return sql, params


# --- words for people -----------------------------------------------------------------------


def fact_label(key: str, *, names: dict[str, str] | None = None) -> str:
    """What a person is asked for, for a fact key."""
    kind, _sep, rest = key.partition(":")
    labels = {
        "registered_capital": _("Registered capital (10,000 yuan)"),
        "founded_on": _("Founding date"),
        "street": _("Street or town"),
        "park": _("Industrial park"),
        "ownership": _("Ownership"),
        "industry_division": _("Industry division (GB/T 4754)"),
    }
    if kind == "qualification":
        return _("Whether you hold the qualification “%(q)s”") % {
            "q": (names or {}).get(rest, rest)}
    if kind == "declared":
        return (names or {}).get(key, rest)
    return labels.get(key, key)


def describe(leaf: dict, *, names: dict[str, str] | None = None) -> str:
    name = leaf["field"]
    values = ", ".join((names or {}).get(v, v) for v in leaf.get("values", []))
    low, high = leaf.get("min"), leaf.get("max")
    if name == "registered_capital":
        if high is None:
            return _("Registered capital at least %(lo)s (10,000 yuan)") % {"lo": low}
        if low is None:
            return _("Registered capital at most %(hi)s (10,000 yuan)") % {"hi": high}
        return _("Registered capital between %(lo)s and %(hi)s (10,000 yuan)") % {
            "lo": low, "hi": high}
    if name == "years_since_founding":
        if high is None:
            return _("Founded at least %(lo)s years ago") % {"lo": low}
        if low is None:
            return _("Founded at most %(hi)s years ago") % {"hi": high}
        return _("Founded between %(lo)s and %(hi)s years ago") % {"lo": low, "hi": high}
    if name == "declared":
        return leaf["text"]
    label = {
        "industry_section": _("Industry section"), "industry_division": _("Industry division"),
        "size": _("Size class"), "street": _("Street or town"), "park": _("Industrial park"),
        "ownership": _("Ownership"), "qualification": _("Qualification"), "tag": _("Tag"),
    }[name]
    return _("%(label)s: %(values)s") % {"label": label, "values": values}
