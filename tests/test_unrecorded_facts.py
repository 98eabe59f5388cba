"""A scheme that asks a fact no practice records (an opt-in date, a pilot) pays nobody through it,
and says so: the run carries a warning naming the line, on both evaluation paths."""
from __future__ import annotations

from conftest import evaluate_columnar, evaluate_text

SCHEME = '''scheme s "Opt-in and a pilot"
  contract: england 2013/14
  eligible when: practice opted in or practice in pilot "Pilot A"

  rule "As usual":
    applies to: all indicators
    pay: achievement
'''


def _data(opted_in=None, pilots=()):
    practice = {"code": "P1", "name": "One", "list_size": 5000, "pilots": list(pilots),
                "achievement": {"2013/14": {"AA001": {"register": 100}, "AA002": {"numerator": 90, "denominator": 100},
                                            "BB001": {"numerator": 80, "denominator": 100},
                                            "BB002": {"register": 10}}},
                "prevalence": {"2013/14": {"AA": {"register": 100}}}}
    if opted_in:
        practice["opted_in"] = opted_in
    return {"dataset": "facts", "synthetic": True, "practices": [practice]}


def test_no_opt_in_date_and_no_such_pilot_are_warned_on_both_paths(tmp_path):
    for result in (evaluate_text(SCHEME, _data(pilots=["Pilot B"]), tmp_path),
                   evaluate_columnar(SCHEME, _data(pilots=["Pilot B"]), tmp_path / "columns")):
        warnings = [n for n in result.notes if n.startswith("WARNING")]
        assert warnings == [
            "WARNING: no practice in the data has an opt-in date (OPTED_IN), so 'practice opted in' (line 3) "
            "holds for none: is the column missing or empty?",
            "WARNING: no practice in the data is in pilot 'Pilot A' (line 3), so the condition holds for none: "
            "the data's pilots are 'Pilot B'"]
        assert result.eligible_count == 0


def test_recorded_facts_give_no_warning(tmp_path):
    result = evaluate_text(SCHEME, _data(opted_in="2013-04-01", pilots=["Pilot A"]), tmp_path)
    assert not [n for n in result.notes if n.startswith("WARNING")] and result.eligible_count == 1
