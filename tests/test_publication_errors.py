"""What a user sees when a publication (zip or folder) cannot be read: golden files
(tests/cases/publication/NAME.expected: exit code and output of ``qofrules data describe``), one
per kind of problem, each built here from a small recipe. Hostile archives (zip bombs, names that
climb out, links, overlapping entries) are refused before a byte is unpacked, and nothing is ever
written outside qofrules' own temporary directory. QOFRULES_UPDATE_GOLDEN=1 rewrites the files.
"""
from __future__ import annotations

import stat
import struct
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from qofrules.cli import cli
from qofrules.data import columnar, load as load_exact, ziparchive
from conftest import assert_golden

CASES = Path(__file__).resolve().parent / "cases" / "publication"

MAPPING = ("REGION_ODS_CODE,REGION_NAME,ICB_ODS_CODE,ICB_NAME,SUB_ICB_ODS_CODE,SUB_ICB_NAME,PCN_ODS_CODE,PCN_NAME,"
           "PRACTICE_CODE,PRACTICE_NAME\r\n"
           "Y63,North East and Yorkshire,QHM,NHS North East and North Cumbria Integrated Care Board,16C,"
           "NHS North East and North Cumbria ICB - 16C,U89141,STOCKTON PCN,A81001,THE DENSHAM SURGERY\r\n"
           "Y63,North East and Yorkshire,QHM,NHS North East and North Cumbria Integrated Care Board,16C,"
           "NHS North East and North Cumbria ICB - 16C,U07032,NORTH STOCKTON PCN,A81002,QUEENS PARK MEDICAL CENTRE\r\n")
PREVALENCE = ("PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PRACTICE_LIST_SIZE\r\n"
              "A81001,AF,130,TOTAL,9759\r\nA81001,AST,432,06OV,9217\r\n"
              "A81002,AF,20,TOTAL,4100\r\nA81002,AST,300,06OV,3900\r\n")
LONG = "PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\r\n"
ACHIEVEMENT = (LONG + "A81001,AF006,NUMERATOR,35\r\nA81001,AF006,DENOMINATOR,70\r\nA81001,AF006,ACHIEVED_POINTS,7.93\r\n"
               "A81002,AF006,NUMERATOR,10\r\nA81002,AF006,DENOMINATOR,12\r\n")
GOOD = {"MAPPING_NHS_GEOGRAPHIES_2324.csv": MAPPING, "PREVALENCE_2324.csv": PREVALENCE,
        "ACHIEVEMENT_NORTH_EAST_AND_YORKSHIRE_2324.csv": ACHIEVEMENT}


def _zip(path: Path, members: dict[str, str | bytes], **kwargs) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data, **kwargs)
    return path


def _folder(path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, encoding="utf-8", newline="")
    return path


def _symlink_member(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("qof/ACHIEVEMENT_2324.csv")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    return path


def _overlapping(path: Path) -> Path:
    """Two central-directory entries pointing at one member's bytes (the overlapping-member bomb)."""
    _zip(path, {"a.csv": LONG})
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    count, size, offset = struct.unpack("<HIL", data[end + 10:end + 20])
    entry = bytes(data[offset:offset + size])
    second = bytearray(entry)
    name_at = 46
    second[name_at:name_at + 5] = b"b.csv"
    directory = entry + bytes(second)
    tail = bytearray(data[end:])
    tail[8:10] = struct.pack("<H", 2)
    tail[10:12] = struct.pack("<H", 2)
    tail[12:16] = struct.pack("<I", len(directory))
    path.write_bytes(bytes(data[:offset]) + directory + bytes(tail))
    return path


def _encrypted(path: Path) -> Path:
    """A member marked encrypted (bit 0 of its flags, in its local header and central entry)."""
    _zip(path, {"PREVALENCE_2324.csv": PREVALENCE})
    data = bytearray(path.read_bytes())
    data[6] |= 0x1  # the local file header's general-purpose flags
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1
    path.write_bytes(bytes(data))
    return path


RECIPES = {
    "zip-climbs-out": lambda d: _zip(d / "pub.zip", {"../../evil/MAPPING_NHS_GEOGRAPHIES_2324.csv": MAPPING}),
    "zip-absolute-name": lambda d: _zip(d / "pub.zip", {"/etc/cron.d/PREVALENCE_2324.csv": PREVALENCE}),
    "zip-symbolic-link": lambda d: _symlink_member(d / "pub.zip"),
    "zip-bomb-ratio": lambda d: _zip(d / "pub.zip", {"ACHIEVEMENT_2324.csv": LONG + "0" * (60 * 1024 * 1024)}),
    "zip-overlapping-entries": lambda d: _overlapping(d / "pub.zip"),
    "zip-encrypted-member": lambda d: _encrypted(d / "pub.zip"),
    "zip-too-many-members": lambda d: _zip(d / "pub.zip", {f"f{i}.txt": "" for i in range(1001)}),
    "zip-name-twice": lambda d: _zip(d / "pub.zip", {"PREVALENCE_2324.csv": PREVALENCE, "prevalence_2324.CSV": PREVALENCE}),
    "not-a-zip": lambda d: (d / "pub.zip").write_bytes(b"PK\x03\x04 this is not an archive") and d / "pub.zip",
    "zip-nothing-usable": lambda d: _zip(d / "pub.zip", {"README.txt": "hello", "notes.csv": "A,B\r\n1,2\r\n"}),
    "no-geography-mapping": lambda d: _zip(d / "pub.zip", {"PREVALENCE_2324.csv": PREVALENCE}),
    "no-prevalence-for-the-mapping-year": lambda d: _zip(d / "pub.zip", {"MAPPING_NHS_GEOGRAPHIES_2324.csv": MAPPING}),
    "two-mappings-of-one-year": lambda d: _zip(d / "pub.zip", {**GOOD, "extra/MAPPING_NHS_GEOGRAPHIES_2324.csv": MAPPING}),
    "practice-without-a-list-size": lambda d: _zip(d / "pub.zip", {
        **GOOD, "PREVALENCE_2324.csv": PREVALENCE.replace("A81002,AF,20,TOTAL,4100\r\n", "")}),
    "total-lists-disagree": lambda d: _zip(d / "pub.zip", {
        **GOOD, "PREVALENCE_2324.csv": PREVALENCE + "A81001,CAN,50,TOTAL,9000\r\n"}),
    "measure-in-two-regional-files": lambda d: _zip(d / "pub.zip", {
        **GOOD, "ACHIEVEMENT_LONDON_2324.csv": LONG + "A81002,AF006,NUMERATOR,9\r\nA81001,AF006,NUMERATOR,30\r\n"}),
    "bad-row-in-a-member": lambda d: _zip(d / "pub.zip", {
        **GOOD, "ACHIEVEMENT_NORTH_EAST_AND_YORKSHIRE_2324.csv": ACHIEVEMENT + "A81002,AF006,ACHIEVED_POINTS,1e3\r\n"}),
    "folder-without-publication-files": lambda d: _folder(d / "pub", {"notes.txt": "hello", "a.csv": "X,Y\r\n"}),
    "folder-practices-table-without-manifest": lambda d: _folder(d / "pub", {
        "practices.csv": "PRACTICE_CODE,PRACTICE_NAME,LIST_SIZE\r\nA81001,X,100\r\n", **GOOD}),
    "file-without-a-year": lambda d: _zip(d / "pub.zip", {**GOOD, "ACHIEVEMENT.csv": ACHIEVEMENT}),
}


def _describe(path: Path, monkeypatch) -> str:
    monkeypatch.chdir(path.parent)
    result = CliRunner().invoke(cli, ["data", "describe", path.name])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return f"# exit {result.exit_code}\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_publication_problem_is_golden(name, tmp_path, monkeypatch):
    made = RECIPES[name](tmp_path)
    got = _describe(made, monkeypatch)
    expected = CASES / f"{name}.expected"
    assert_golden(got, expected)
    assert "Traceback" not in got and "qofrules-archive-" not in got, "no private unpacked path is shown"


@pytest.mark.parametrize("name", ["zip-climbs-out", "zip-absolute-name", "zip-symbolic-link"])
def test_hostile_names_write_nothing_anywhere(name, tmp_path, monkeypatch):
    made = RECIPES[name](tmp_path)
    before = set(tmp_path.rglob("*"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["data", "describe", str(made)])
    assert result.exit_code == 1
    assert set(tmp_path.rglob("*")) == before and not (tmp_path.parent / "evil").exists()


def test_what_is_unpacked_is_counted_against_the_archive_limit(tmp_path, monkeypatch):
    made = _zip(tmp_path / "pub.zip", GOOD)
    monkeypatch.setattr(ziparchive, "MAX_UNPACKED_BYTES", 600)
    with pytest.raises(Exception) as caught:
        load_exact(str(made))
    assert "the most qofrules unpacks from one archive" in str(caught.value.diagnostics[0].message)


def test_a_bomb_is_refused_before_anything_is_unpacked(tmp_path, monkeypatch):
    made = RECIPES["zip-bomb-ratio"](tmp_path)
    monkeypatch.setattr(ziparchive.Archive, "unpack", lambda *a: pytest.fail("unpacked"))
    monkeypatch.setattr(ziparchive.Archive, "head", lambda *a: pytest.fail("read"))
    with pytest.raises(Exception) as caught:
        load_exact(str(made))
    assert "more than 200 times its compressed size" in caught.value.diagnostics[0].message


def test_the_temporary_copies_are_removed(tmp_path, monkeypatch):
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    made = _zip(tmp_path / "pub.zip", GOOD)
    load_exact(str(made))
    columnar.load(str(made))
    assert list((tmp_path / "scratch").iterdir()) == []


def test_a_symbolic_link_in_a_folder_is_not_followed(tmp_path):
    folder = _folder(tmp_path / "pub", GOOD)
    outside = tmp_path / "outside.csv"
    outside.write_text(ACHIEVEMENT.replace("7.93", "9.99"), encoding="utf-8")
    (folder / "ACHIEVEMENT_LONDON_2324.csv").symlink_to(outside)
    data = load_exact(str(folder))
    assert data.practices[0].achievement["2023/24"]["AF006"].achieved_points == 7 + __import__("decimal").Decimal("0.93")
    result = CliRunner().invoke(cli, ["data", "describe", str(folder)])
    assert "ACHIEVEMENT_LONDON_2324.csv: a symbolic link: not followed" in result.stdout


# ------------------------------------------------------------------ the layout before 2019/20

OLD = {
    "qof-1617-csv/ORGANISATION_REFERENCE.csv":
        "PRACTICE_CODE,PRACTICE_NAME,CCG_CODE,CCG_GEOGRAPHY_CODE,CCG_NAME,SUBREGION_CODE,SUBREGION_GEOGRAPHY_CODE,"
        "SUBREGION_NAME,REGION_CODE,REGION_GEOGRAPHY_CODE,REGION_NAME,COUNTRY,REVISED_MAXIMUM_POINTS\r\n"
        "B86001,A PRACTICE,02V,E38000087,NHS LEEDS NORTH CCG,Q72,E39000029,NHS ENGLAND YORKSHIRE AND HUMBER,Y54,"
        "E40000001,NORTH OF ENGLAND,ENGLAND,559\r\n",
    "qof-1617-csv/PREVALENCE.csv":
        "PRACTICE_CODE,INDICATOR_GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PATIENT_LIST_SIZE\r\n"
        "B86001,AF,96,TOTAL,4247\r\nB86001,DM,296,17OV,3408\r\n",
    "qof-1617-csv/ACHIEVEMENT_EXCEPTIONS.csv": LONG + "B86001,DM007,NUMERATOR,60\r\nB86001,DM007,DENOMINATOR,80\r\n"
                                                "B86001,DM007,EXCEPTIONS,4\r\nB86001,DM007,ACHIEVED_POINTS,11.5\r\n",
}


def test_the_layout_before_2019_20_reads_alike_on_both_paths(tmp_path):
    made = _zip(tmp_path / "qof-1617.zip", OLD)
    exact, columns = load_exact(str(made)), columnar.load(str(made))
    practice = exact.practices[0]
    assert exact.years == ("2016/17",) and columns.practice_in_full(0) == practice
    assert practice.list_size == 4247 and practice.areas["CCG"] == "NHS LEEDS NORTH CCG"
    assert practice.areas["REGION"] == "NORTH OF ENGLAND" and practice.attributes["ccg_code"] == "02V"
    assert practice.achievement["2016/17"]["DM007"].exceptions == 4
    assert practice.prevalence["2016/17"]["DM"].list_size == 3408
