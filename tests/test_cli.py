"""The command line as a user meets it: exit codes, formats, and no tracebacks on bad input."""
from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from conftest import CASES, ROOT
from qofrules.cli import cli

SEEDS = sorted(str(p) for p in (ROOT / "schemes").glob("*.qof"))


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def test_seed_schemes_check_clean():
    result = invoke("check", *SEEDS)
    assert result.exit_code == 0, result.output
    assert f"{len(SEEDS)} file(s) checked: {len(SEEDS)} clean, 0 error(s)" in result.output
    # The only warning a shipped scheme may carry: a rule on a year whose indicator list qofrules
    # does not have (Northern Ireland 2016/17), which it says rather than keeps quiet.
    from qofrules import api
    for path in SEEDS:
        report = api.check_file(path)
        for warning in report.diagnostics:
            assert warning.code == "QR224" and report.contract.indicator_list_unknown, (path, warning.render())


def test_check_json_reports_every_file():
    result = invoke("check", "--format", "json", SEEDS[0], str(CASES / "errors" / "unknown-indicator.qof"))
    assert result.exit_code == 1
    reports = json.loads(result.output)
    assert [r["ok"] for r in reports] == [True, False]
    assert reports[1]["diagnostics"][0]["code"] == "QR212"
    assert reports[1]["diagnostics"][0]["line"] == 4


def test_check_reads_standard_input():
    text = (ROOT / "schemes" / "2017-leeds.qof").read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "-"], input=text)
    assert result.exit_code == 0, result.output


def test_check_missing_file_is_a_clear_error():
    result = invoke("check", "no/such/file.qof")
    assert result.exit_code == 2
    assert "no/such/file.qof: error[QR002] no such file" in result.output


def test_usage_errors_exit_2():
    assert invoke("check").exit_code == 2
    assert invoke("run", SEEDS[0]).exit_code == 2  # --data is required


def test_contracts_lists_every_country_and_year_grouped():
    result = invoke("contracts")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    # grouped by country, England first, each group headed with its number of years
    headings = [line for line in lines if line and not line.startswith(" ") and "(" in line and "year" in line]
    assert headings[:4] == ["england (13 years)", "wales (1 year)", "scotland (2 years)", "northern-ireland (1 year)"]
    row = next(line for line in lines if line.strip().startswith("england 2013/14"))
    assert row.split()[2:10] == ["35", "of", "121", "107", "/", "900", "£156.92", "no"]
    assert "76 of 76" in next(line for line in lines if "england 2023/24" in line)
    data = json.loads(invoke("contracts", "--format", "json").output)
    years = {(d["country"], d["year"]): d for d in data}
    assert years[("england", "2023/24")]["complete"] is True and years[("england", "2023/24")]["total_points"] == 635
    assert years[("england", "2013/14")]["listed"] == "35 of 121"
    assert set(years[("england", "2013/14")]["figures"]) == {"checked", "unchecked", "unknown", "supplied"}
    assert years[("wales", "2016/17")]["point_value"] is None


def test_contracts_of_one_country_and_of_one_year():
    wales = invoke("contracts", "wales")
    assert wales.exit_code == 0 and "wales 2016/17" in wales.output and "england" not in wales.output
    year = json.loads(invoke("contracts", "2016/17", "--format", "json").output)
    assert [(d["country"], d["year"]) for d in year] == [("england", "2016/17"), ("wales", "2016/17"),
                                                         ("scotland", "2016/17"), ("northern-ireland", "2016/17")]


def test_contracts_of_one_year_shows_every_figure_with_its_source():
    result = invoke("contracts", "england", "2016/17")
    assert result.exit_code == 0, result.output
    assert "indicators listed: 7 of 77; points known: 69 / 559; £ per point: £165.18" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("£ per point"))
    assert line.split()[3:5] == ["165.18", "unchecked"]
    assert "Global sum, QOF and other contract payment information for 2016/17" in line
    data = json.loads(invoke("contracts", "england", "2016/17", "--format", "json").output)
    figures = {f["figure"]: f for f in data["figures_list"]}
    assert figures["published total points"] == {"figure": "published total points", "value": 559, "status": "checked",
                                                "source": "Quality and Outcomes Framework (QOF) - 2016-17, Highlights: "
                                                          "QOF achievement", "note": ""}
    assert figures["AF006 upper threshold"]["value"] == "90"
    assert figures["DEM006 kind (register or fraction)"]["status"] == "unknown"


def test_contracts_misspelt_year_or_country_is_a_clear_usage_error():
    year = invoke("contracts", "england", "2061/17")
    assert year.exit_code == 2
    assert "error[QR211] no contract year 'england 2061/17' ships with qofrules" in year.output
    assert "hint: did you mean 2016/17" in year.output
    country = invoke("contracts", "englnd", "2016/17")
    assert country.exit_code == 2
    assert "error[QR210] 'englnd' is not a country" in country.output and "hint: did you mean england?" in country.output
    alone = invoke("contracts", "walse")
    assert alone.exit_code == 2 and "did you mean wales?" in alone.output
    other = invoke("contracts", "wales", "2019/20")
    assert other.exit_code == 2 and "wales years that ship, nearest first: 2016/17" in other.output
    assert "Traceback" not in year.output + country.output + alone.output + other.output


def _one_rule_scheme(tmp_path, contract):
    scheme = tmp_path / "s.qof"
    scheme.write_text(f'scheme s "S"\n  contract: {contract}\n  rule "All":\n    applies to: all indicators\n'
                      "    pay: achievement\n")
    return scheme


def test_run_refuses_a_year_whose_indicator_list_is_unknown(tmp_path):
    """A year listing no indicators must not be run as if it paid nothing."""
    data = tmp_path / "d.yaml"
    data.write_text("dataset: x\nsynthetic: true\npractices:\n  - {code: A1, name: N, list_size: 10}\n")
    for contract, says in [("wales 2016/17", "the indicator list of contract year wales 2016/17 is unknown"),
                           ("england 2018/19", "the indicator list of contract year england 2018/19 is unknown"),
                           ("scotland 2016/17", "contract year scotland 2016/17 has no QOF indicators")]:
        scheme = _one_rule_scheme(tmp_path, contract)
        assert invoke("check", str(scheme)).exit_code == 0  # it loads, so the scheme can be checked
        result = invoke("run", str(scheme), "--data", str(data))
        assert result.exit_code == 1, result.output
        assert f"error[QE004] cannot compute payments: {says}" in result.output
        assert "£0.00" not in result.output and "TOTAL" not in result.output


def test_scheme_naming_an_unknown_country_or_year_is_located(tmp_path):
    result = invoke("check", str(_one_rule_scheme(tmp_path, "englnd 2016/17")))
    assert result.exit_code == 1
    assert "s.qof:2:3: error[QR210] 'englnd' is not a country qofrules has contract years for" in result.output
    assert "hint: did you mean england?" in result.output
    result = invoke("check", str(_one_rule_scheme(tmp_path, "england 2012/13")))
    assert "s.qof:2:3: error[QR211] no contract year 'england 2012/13' ships with qofrules" in result.output
    assert "hint: england years that ship, nearest first: 2013/14, 2014/15" in result.output


def test_run_refuses_unknown_figures_without_overrides(tmp_path):
    data = tmp_path / "d.yaml"
    data.write_text("dataset: x\nsynthetic: true\npractices:\n  - {code: A1, name: N, list_size: 10}\n")
    scheme = tmp_path / "s.qof"
    scheme.write_text('scheme s "S"\n  contract: england 2023/24\n  rule "All":\n    applies to: all indicators\n'
                      "    pay: achievement\n")
    result = invoke("run", str(scheme), "--data", str(data))
    assert result.exit_code == 1
    assert "error[QE001] cannot compute payments: contract year england 2023/24 has no value for" in result.output
    assert "--contract-overrides" in result.output


def test_run_with_a_broken_scheme_shows_the_syntax_error(tmp_path):
    scheme = tmp_path / "s.qof"
    scheme.write_text('scheme s "S"\n  contract england 2023/24\n')
    result = invoke("run", str(scheme), "--data", str(tmp_path))
    assert result.exit_code == 2
    assert "s.qof:2:12: error[QR001] unexpected 'england'; expected ':'" in result.output


def test_run_with_a_missing_data_set(tmp_path):
    result = invoke("run", SEEDS[0], "--data", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_the_installed_command_never_prints_a_traceback(tmp_path):
    """Through the real entry point, in a subprocess: hostile inputs end in messages, not tracebacks."""
    cases = {
        "binary.qof": b"\x00\x01\x02",
        "latin1.qof": "scheme x \"Caf\xe9\"\n".encode("latin-1"),
        "deep.qof": b'scheme x "x"\n  contract: england 2023/24\n  eligible when: ' + b"(" * 5000 + b"\n",
        "long.qof": b"# " + b"x" * 100_000 + b"\n",
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        done = subprocess.run([sys.executable, "-m", "qofrules.cli", "check", str(path)], capture_output=True,
                              text=True, timeout=60, cwd=ROOT)
        assert done.returncode == 2, (name, done.stdout, done.stderr)
        assert "Traceback" not in done.stdout + done.stderr, name
        assert "error[QR00" in done.stdout, name


def test_every_command_module_is_listed_where_lazy_loading_finds_it():
    """COMMAND_MODULES names, for each command, the module that defines it: a command missing from
    it would be missing from qofrules, and a wrong module would load the wrong one."""
    import pkgutil

    from qofrules import commands
    defined = {}
    for info in pkgutil.iter_modules(commands.__path__):
        for command in getattr(__import__(f"qofrules.commands.{info.name}", fromlist=["COMMANDS"]), "COMMANDS", ()):
            defined[command.name] = info.name
    assert defined == commands.COMMAND_MODULES


def test_a_command_loads_only_its_own_module():
    """`qofrules check` imports the module that defines check, not the eight others (start-up)."""
    code = ("import sys; from qofrules.cli import main; sys.argv = ['qofrules', 'check', sys.argv[1]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('qofrules.commands.')))")
    done = subprocess.run([sys.executable, "-c", code, SEEDS[0]], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.splitlines()[-1] == "['qofrules.commands.check', 'qofrules.commands.options']", done.stderr
    listed = invoke("--help")
    assert listed.exit_code == 0
    from qofrules import commands
    for name in commands.COMMAND_MODULES:
        assert f"  {name} " in listed.output


def test_the_command_runs_with_the_collector_as_it_was_and_the_imports_set_aside(monkeypatch):
    """qofrules.entry pauses the cyclic collector only while the command's modules are imported,
    then freezes what they made, once: the command itself (the language server runs for hours) is
    collected as ever, and a second call in one process freezes nothing of its caller's."""
    import gc

    from qofrules import cli as cli_module
    from qofrules import entry
    seen = {}
    monkeypatch.setattr(cli_module, "main", lambda: seen.update(enabled=gc.isenabled(), frozen=gc.get_freeze_count()))
    try:
        for enabled in (True, False):
            gc.enable() if enabled else gc.disable()
            before = gc.get_freeze_count()
            entry.main()
            assert seen["enabled"] is enabled and seen["frozen"] == before
    finally:
        gc.enable()
    # a fresh process: the first call freezes what the import made, and leaves the collector on
    code = ("import gc, sys; from qofrules import entry; sys.argv = ['qofrules', '--version']\n"
            "try:\n    entry.main()\nexcept SystemExit:\n    pass\n"
            "print(gc.isenabled(), gc.get_freeze_count() > 10000)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.splitlines()[-1] == "True True", done.stderr


def test_the_installed_command_is_the_entry_point():
    from qofrules.config import toml_parser
    project = toml_parser().loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"] == {"qofrules": "qofrules.entry:main"}
    done = subprocess.run([sys.executable, "-m", "qofrules", "check", SEEDS[0]], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and "1 clean" in done.stdout, done.stderr


def test_a_mistyped_command_is_told_the_nearest_of_every_command():
    """Commands load lazily; the suggestion still comes from all of them, not the loaded few."""
    result = invoke("chek", SEEDS[0])
    assert result.exit_code == 2
    assert "No such command 'chek'. Did you mean 'check'?" in result.output
