"""Practice data loading: both forms load, and every kind of bad input gets a located, coded error."""
from __future__ import annotations

from decimal import Decimal

import pytest

from qofrules import api
from qofrules.diagnostics import QofError

PRACTICES = "PRACTICE_CODE,PRACTICE_NAME,LIST_SIZE,LMC,OPTED_IN,PILOTS\n" \
            "A00001,First,5000,Somerset,2014-01-02,pilot-a;pilot-b\nA00002,Second,7000,Devon,,\n"
LONG = "PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\n" \
       "A00001,AA002,NUMERATOR,65\nA00001,AA002,DENOMINATOR,100\nA00001,AA002,PCAS,4\nA00001,AA001,REGISTER,120\n" \
       "A00002,AA002,ACHIEVED_POINTS,12.5\n"
PREVALENCE = "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PRACTICE_LIST_SIZE\nA00001,AA,100,TOTAL,5000\n"


def write_dataset(tmp_path, practices=PRACTICES, long=LONG, prevalence=PREVALENCE, manifest_extra=""):
    (tmp_path / "practices.csv").write_text(practices, encoding="utf-8")
    (tmp_path / "achievement.csv").write_text(long, encoding="utf-8")
    (tmp_path / "prevalence.csv").write_text(prevalence, encoding="utf-8")
    (tmp_path / "dataset.yaml").write_text(
        "dataset: test\nsynthetic: true\npractices: practices.csv\n"
        "achievement: {2013/14: achievement.csv}\nprevalence: {2013/14: prevalence.csv}\n" + manifest_extra,
        encoding="utf-8")
    return str(tmp_path)


def problems(tmp_path, **files) -> list:
    with pytest.raises(QofError) as caught:
        api.load_data(write_dataset(tmp_path, **files))
    return caught.value.diagnostics


def test_directory_dataset_loads(tmp_path):
    data = api.load_data(write_dataset(tmp_path))
    first = data.practice("A00001")
    assert first.list_size == 5000 and first.areas["LMC"] == "Somerset"
    assert first.pilots == {"pilot-a", "pilot-b"} and str(first.opted_in) == "2014-01-02"
    measures = first.measures("2013/14", "AA002")
    assert (measures.numerator, measures.denominator, measures.exceptions) == (65, 100, 4)
    assert data.practice("A00002").measures("2013/14", "AA002").achieved_points == Decimal("12.5")
    assert first.prevalence["2013/14"]["AA"].register == 100
    assert data.practice("A00002").opted_in is None


def test_bom_and_crlf_are_accepted(tmp_path):
    data = api.load_data(write_dataset(tmp_path, practices="\ufeff" + PRACTICES.replace("\n", "\r\n"),
                                       long=LONG.replace("\n", "\r\n")))
    assert data.practice("A00001").measures("2013/14", "AA001").register == 120


def test_missing_columns_are_named(tmp_path):
    found = problems(tmp_path, long="PRACTICE_CODE,INDICATOR,MEASURE,VALUE\n")
    assert found[0].code == "QD012"
    assert "INDICATOR_CODE" in found[0].message and found[0].hint == "did you mean INDICATOR?"


def test_non_numeric_value_names_the_line(tmp_path):
    found = problems(tmp_path, long=LONG + "A00002,AA001,REGISTER,lots\n")
    assert [(d.code, d.span.line) for d in found] == [("QD021", 7)]
    assert "'lots'" in found[0].message
    assert "A00002,AA001,REGISTER,lots" in found[0].render()


def test_duplicated_row_names_both_lines(tmp_path):
    found = problems(tmp_path, long=LONG + "A00001,AA002,NUMERATOR,60\n")
    assert found[0].code == "QD022" and "first given on line 2" in found[0].message


def test_numerator_above_denominator_is_refused(tmp_path):
    found = problems(tmp_path, long=LONG.replace("NUMERATOR,65", "NUMERATOR,165"))
    assert found[0].code == "QD023"
    assert "A00001 AA002 has NUMERATOR 165 greater than DENOMINATOR 100" in found[0].message


def test_unknown_practice_in_achievement(tmp_path):
    found = problems(tmp_path, long=LONG + "A00003,AA001,REGISTER,4\n")
    assert found[0].code == "QD020" and "did you mean" in found[0].hint


def test_practices_table_problems(tmp_path):
    bad = PRACTICES + "A00001,Again,10,,,\nA00004,Zero,0,,,\nA00005,Date,10,,2014-02-30,\n"
    codes = [d.code for d in problems(tmp_path, practices=bad)]
    assert codes == ["QD015", "QD016", "QD017"]


def test_ragged_row(tmp_path):
    found = problems(tmp_path, long=LONG + "A00001,AA001\n")
    assert found[0].code == "QD013" and "has 2 fields" in found[0].message


def test_errors_are_capped_and_summarised(tmp_path):
    bad = LONG + "".join(f"A00001,X{i:03d},REGISTER,x\n" for i in range(200))
    found = problems(tmp_path, long=bad)
    assert len(found) == 51 and "150 more" in found[-1].message


def test_manifest_cannot_reach_outside_its_directory(tmp_path):
    inner = tmp_path / "inner"
    inner.mkdir()
    write_dataset(inner)
    (inner / "dataset.yaml").write_text("dataset: x\nsynthetic: true\npractices: practices.csv\n"
                                        "achievement: {2013/14: ../../etc/passwd}\n", encoding="utf-8")
    with pytest.raises(QofError) as caught:
        api.load_data(str(inner))
    assert caught.value.diagnostics[0].code == "QD004"  # refused by the schema's path rule


def test_symlink_out_of_the_directory_is_refused(tmp_path):
    inner = tmp_path / "inner"
    inner.mkdir()
    write_dataset(inner)
    (tmp_path / "secret.csv").write_text(LONG, encoding="utf-8")
    (inner / "link.csv").symlink_to(tmp_path / "secret.csv")
    (inner / "dataset.yaml").write_text("dataset: x\nsynthetic: true\npractices: practices.csv\n"
                                        "achievement: {2013/14: link.csv}\n", encoding="utf-8")
    with pytest.raises(QofError) as caught:
        api.load_data(str(inner))
    assert caught.value.diagnostics[0].code == "QD005"


def test_yaml_alias_bomb_is_refused(tmp_path):
    bomb = "dataset: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    with pytest.raises(QofError) as caught:
        api.load_data(str(path))
    assert caught.value.diagnostics[0].code == "QD001"
    assert "aliases" in caught.value.diagnostics[0].message


def test_compact_form_is_schema_checked(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text("dataset: x\nsynthetic: true\npractices:\n  - {code: A1, name: N, list_size: -3}\n",
                    encoding="utf-8")
    with pytest.raises(QofError) as caught:
        api.load_data(str(path))
    assert caught.value.diagnostics[0].code == "QD004"
    assert "practices[0].list_size" in caught.value.diagnostics[0].message


def test_compact_json_loads(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('{"dataset": "x", "synthetic": true, "practices": [{"code": "A1", "name": "N", '
                    '"list_size": 10, "achievement": {"2013/14": {"AA001": {"register": 3}}}}]}', encoding="utf-8")
    assert api.load_data(str(path)).practice("A1").measures("2013/14", "AA001").register == 3


def test_compact_numerator_above_denominator(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text("dataset: x\nsynthetic: true\npractices:\n  - code: A1\n    name: N\n    list_size: 10\n"
                    "    achievement: {2013/14: {AA002: {numerator: 5, denominator: 4}}}\n", encoding="utf-8")
    with pytest.raises(QofError) as caught:
        api.load_data(str(path))
    assert caught.value.diagnostics[0].code == "QD023"


def test_a_practice_read_column_by_column_is_the_one_the_constructor_makes():
    """Practice.of_row (the practices table read at once) fills the object's fields without the
    dataclass's __init__: every field must be there, equal, and the object still frozen, with
    achievement and prevalence of its own (a shared dict would leak one practice's data into all)."""
    import dataclasses
    import datetime as dt

    from qofrules.data.model import Practice
    fields = dict(code="A00001", name="First", list_size=5000, areas={"LMC": "Somerset"},
                  opted_in=dt.date(2014, 1, 2), pilots=frozenset({"pilot-a"}), requested_alternative=True,
                  attributes={"lmc": "Somerset"})
    quick, made = Practice.of_row(**fields), Practice(**fields)
    assert quick == made and vars(quick) == vars(made)
    assert set(vars(quick)) == {f.name for f in dataclasses.fields(Practice)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.code = "A00002"
    assert quick.achievement is not Practice.of_row(**fields).achievement
