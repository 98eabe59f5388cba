"""The JSON Schemas for the YAML files a user writes or reads (data sets, overrides, contract
years, code changes): each has a published ``$id`` (where the repository serves the file), every
shipped YAML file names its schema for editors with a ``# yaml-language-server: $schema=...``
line, the schemas still accept the shipped files, and the YAML language server editors use
(yaml-language-server, over its protocol) accepts them and points at a mistake.

The language server is pinned in tests/yamlls/package-lock.json; .ci/run installs it with
``npm ci --prefix tests/yamlls``, and this module does the same when it is missing and npm is
there. Without node it skips, saying so.
"""
from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from conftest import ROOT

#: Where the repository publishes its files (as sarif.py names the project's home).
PUBLISHED = "https://raw.githubusercontent.com/qofrules/qofrules/main/"
SCHEMAS = {
    "qofrules/data/dataset.schema.json": ["examples/*/dataset.yaml", "examples/tiny.yaml"],
    "qofrules/contracts/overrides.schema.json": ["examples/*/contract-overrides.yaml"],
    "qofrules/contracts/contract.schema.json": ["qofrules/contracts/data/*.yaml"],
    "qofrules/contracts/code-changes.schema.json": ["qofrules/contracts/*-code-changes.yaml"],
    "qofrules/config.schema.json": [],  # TOML settings (docs/repository.md): no shipped YAML file
}
#: Shipped YAML files no schema describes (read by code that checks them itself).
WITHOUT_SCHEMA = {"qofrules/contracts/bodies.yaml", "qofrules/contracts/authorities.yaml"}
MODELINE = re.compile(r"^#\s+yaml-language-server\s*:\s*\$schema=(\S+)\s*$")
HARNESS = ROOT / "tests" / "yamlls"
NODE = shutil.which("node")
TIMEOUT = 60


def _governed() -> dict[Path, str]:
    """Every shipped YAML file a schema describes → the schema's path in the repository."""
    found = {}
    for schema, patterns in SCHEMAS.items():
        for pattern in patterns:
            for path in sorted(ROOT.glob(pattern)):
                found[path] = schema
    return found


GOVERNED = _governed()


def _schema(path: str) -> dict:
    return json.loads((ROOT / path).read_text(encoding="utf-8"))


def _header_comments(text: str) -> list[str]:
    lines = []
    for line in text.split("\n"):
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


def _ids(paths) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in paths]


def test_every_schema_has_its_own_published_id():
    shipped = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "qofrules").rglob("*.schema.json"))
    assert shipped == sorted(SCHEMAS)
    ids = [_schema(path)["$id"] for path in SCHEMAS]
    assert ids == [PUBLISHED + path for path in SCHEMAS]
    assert len(set(ids)) == len(ids)
    for path in SCHEMAS:
        assert _schema(path)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_shipped_yaml_file_is_described_or_named_as_not():
    shipped = {str(p.relative_to(ROOT)) for folder in ("examples", "qofrules") for p in (ROOT / folder).rglob("*.yaml")}
    described = {str(p.relative_to(ROOT)) for p in GOVERNED}
    assert shipped - described == WITHOUT_SCHEMA
    assert len(GOVERNED) >= 20


@pytest.mark.parametrize("path", list(GOVERNED), ids=_ids(GOVERNED))
def test_each_file_names_its_schema_in_its_header(path):
    header = _header_comments(path.read_text(encoding="utf-8"))
    named = [MODELINE.match(line).group(1) for line in header if MODELINE.match(line)]
    assert named == [_schema(GOVERNED[path])["$id"]]
    assert "yaml-language-server" not in header[0]  # the file says what it is first


@pytest.mark.parametrize("path", list(GOVERNED), ids=_ids(GOVERNED))
def test_the_schema_accepts_the_shipped_file(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(_schema(GOVERNED[path])).validate(data)


def test_a_generated_data_set_names_its_schemas(tmp_path):
    """examples/generate.py writes the line into every data set it makes, anywhere."""
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"),
                           "--out", str(tmp_path / "made"), "--scenario", "leeds-2017", "--limit", "5"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for name, schema in (("dataset.yaml", "qofrules/data/dataset.schema.json"),
                         ("contract-overrides.yaml", "qofrules/contracts/overrides.schema.json")):
        header = _header_comments((tmp_path / "made" / name).read_text(encoding="utf-8"))
        assert f"# yaml-language-server: $schema={_schema(schema)['$id']}" in header


# ------------------------------------------------------------------ the real client

class YamlServer:
    """yaml-language-server over standard input and output, with pygls's client."""

    def __init__(self):
        self.client = LanguageClient("qofrules-tests", "1")
        self.published: dict[str, list] = {}
        self.arrived = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params):
            self.published.setdefault(params.uri, []).append(params.diagnostics)
            self.arrived.set()

        @self.client.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(params):
            return [{"validate": True, "schemaStore": {"enable": False}} if item.section == "yaml" else {}
                    for item in params.items]

    async def __aenter__(self):
        server = HARNESS / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
        await self.client.start_io(NODE, str(server), "--stdio")
        await asyncio.wait_for(self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(configuration=True)),
            process_id=None, root_uri=ROOT.as_uri())), TIMEOUT)
        self.client.initialized(types.InitializedParams())
        self.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
            settings={"yaml": {"validate": True, "schemaStore": {"enable": False}}}))
        return self

    async def __aexit__(self, *exc):
        await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
        self.client.exit(None)
        await asyncio.wait_for(self.client.stop(), TIMEOUT)

    async def diagnostics(self, uri: str, text: str) -> list:
        """Open ``text`` as ``uri`` and wait for what the server finds in it."""
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)))

        async def wait():
            while uri not in self.published:
                self.arrived.clear()
                await self.arrived.wait()
        await asyncio.wait_for(wait(), TIMEOUT)
        return self.published[uri][-1]


def _offline(text: str) -> str:
    """The file with its published schema URL read from this checkout instead: the URL serves the
    file at that path in the repository, and the tests have no network."""
    def local(match):
        url = match.group(1)
        assert url.startswith(PUBLISHED), url
        return match.group(0).replace(url, (ROOT / url[len(PUBLISHED):]).as_uri())
    return re.sub(r"^#\s+yaml-language-server\s*:\s*\$schema=(\S+)", local, text, count=1, flags=re.M)


@pytest.fixture(scope="module")
def yaml_server_installed():
    if NODE is None:
        pytest.skip("node is not installed (apt-get install nodejs npm); .ci/run installs it")
    if not (HARNESS / "node_modules" / "yaml-language-server" / "package.json").is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed, so yaml-language-server cannot be (apt-get install npm)")
        subprocess.run([npm, "ci", "--prefix", str(HARNESS), "--no-audit", "--no-fund"], check=True,
                       capture_output=True, timeout=300)


def test_yaml_language_server_accepts_every_shipped_file_and_places_a_mistake(yaml_server_installed, tmp_path):
    manifest = ROOT / "examples" / "lincolnshire-2014" / "dataset.yaml"
    overrides = ROOT / "examples" / "lincolnshire-2014" / "contract-overrides.yaml"
    wrong_manifest = manifest.read_text(encoding="utf-8").replace("\nsynthetic: true\n", "\nsynthetic: perhaps\n")
    wrong_overrides = overrides.read_text(encoding="utf-8").replace("\noverrides: ", "\noverides: ", 1)
    assert "perhaps" in wrong_manifest and "overides" in wrong_overrides

    async def go():
        async with YamlServer() as server:
            clean = {path: await server.diagnostics(path.as_uri(), _offline(path.read_text(encoding="utf-8")))
                     for path in GOVERNED}
            broken = [await server.diagnostics((tmp_path / "dataset.yaml").as_uri(), _offline(wrong_manifest)),
                      await server.diagnostics((tmp_path / "contract-overrides.yaml").as_uri(), _offline(wrong_overrides))]
            return clean, broken

    clean, (manifest_found, overrides_found) = asyncio.run(go())
    assert {str(p.relative_to(ROOT)): [d.message for d in found] for p, found in clean.items() if found} == {}
    line = wrong_manifest.split("\n").index("synthetic: perhaps")
    assert [(d.range.start.line, d.message) for d in manifest_found] == [(line, 'Incorrect type. Expected "boolean".')]
    assert manifest_found[0].source.startswith("yaml-schema:")
    line = next(i for i, text in enumerate(wrong_overrides.split("\n")) if text.startswith("overides:"))
    assert line in {d.range.start.line for d in overrides_found}
