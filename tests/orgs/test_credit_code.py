import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from portal.orgs.validators import (
    CHARSET,
    credit_code_check_char,
    is_valid_credit_code,
    validate_credit_code,
)
from tests.factories import make_credit_code

# The worked example of GB 32100-2015 and codes built by the same rules in Huangpu (440112).
VALID = ["91350100M000100Y43", make_credit_code(seed=1), make_credit_code(seed=2)]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert is_valid_credit_code(code)
    validate_credit_code(code)


def test_lower_case_and_spaces_are_normalised():
    assert is_valid_credit_code("  91350100m000100y43 ")


@pytest.mark.parametrize("code, why", [
    ("91350100M000100Y44", "last check character wrong"),
    ("91350100M000100Y4", "17 characters"),
    ("91350100M000100Y433", "19 characters"),
    ("91350100M0001O0Y43", "letter O is not allowed"),
    ("913501A0M000100Y43", "region code must be digits"),
])
def test_invalid_codes_are_refused_with_a_message(code, why):
    assert not is_valid_credit_code(code), why
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert "unified social credit code" in str(exc.value)


def test_org_code_check_character_is_checked_too():
    # Break the GB 11714 check character (position 17) but keep the final check consistent.
    good = "91350100M000100Y43"
    first17 = good[:16] + ("5" if good[16] != "5" else "6")
    code = first17 + credit_code_check_char(first17)
    assert not is_valid_credit_code(code)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=17),
       st.sampled_from(CHARSET))
def test_any_single_character_change_is_detected(seed, position, replacement):
    code = make_credit_code(seed=seed)
    if code[position] == replacement:
        return
    changed = code[:position] + replacement + code[position + 1:]
    assert not is_valid_credit_code(changed)
