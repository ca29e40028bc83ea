"""What a seller sees when the spreadsheet cannot be reached or Google refuses the key.

Nothing answering at `api_url` fails at once (a refused connection is not Google being busy);
a revoked key, tried against a local token endpoint answering `invalid_grant` like Google's,
is one sentence with exit 3 from `sync`, and `doctor` still prints every other check.
"""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner, Result
from gspread.exceptions import APIError

from openorder_sheets.adapters.gsheet import NoConnection, RetryPolicy
from openorder_sheets.cli import main
from openorder_sheets.testing.sheets_server import SheetsServer

REPO = Path(__file__).resolve().parents[2]
NOW = "2027-02-16T10:00"


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], prog_name="openorder")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    return result


def one_error_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(folder: Path, sheet_lines: str) -> Path:
    path = folder / "openorder.toml"
    path.write_text(
        '[shop]\nname = "Dapur Bu Sari"\nreply_to = "sari@dapur.id"\n'
        'form_url = "https://forms.gle/x"\n'
        f"[sheet]\n{sheet_lines}\n"
        '[email]\nfrom = "sari@dapur.id"\n',
        encoding="utf-8",
    )
    return path


# -- nothing listening at api_url --------------------------------------------------------------


@pytest.fixture
def nothing_there(tmp_path: Path) -> Path:
    shutil.copy(REPO / "credentials.example.json", tmp_path / "credentials.json")
    (tmp_path / "credentials.json").chmod(0o600)
    return write_config(
        tmp_path,
        'spreadsheet = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEFG"\n'
        f'credentials = "credentials.json"\napi_url = "http://127.0.0.1:{closed_port()}"',
    )


def test_sync_fails_at_once_when_nothing_answers_at_api_url(nothing_there: Path) -> None:
    started = time.monotonic()
    result = run("sync", "--config", nothing_there, "--now", NOW)
    assert time.monotonic() - started < 5  # not two minutes of retries
    assert result.exit_code == 3
    line = one_error_line(result)
    assert "Nothing answers at http://127.0.0.1:" in line
    assert "api_url under [sheet]" in line
    assert "retrying" not in result.stderr


def test_doctor_says_nothing_answers_and_still_checks_the_rest(nothing_there: Path) -> None:
    started = time.monotonic()
    result = run("doctor", "--config", nothing_there, "--now", NOW)
    assert time.monotonic() - started < 5
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert any(line.startswith("✗ Nothing answers at http://127.0.0.1:") for line in lines)
    assert any("email templates render" in line for line in lines)  # checked all the same
    assert any("outbox" in line for line in lines)
    assert lines[-1].startswith("1 thing to fix")


def test_a_refused_connection_is_not_retried() -> None:
    calls = []

    def refused() -> None:
        calls.append(1)
        requests.get(f"http://127.0.0.1:{closed_port()}/", timeout=5)

    with pytest.raises(NoConnection):
        RetryPolicy(sleep=lambda _: None).run("reading the tabs", refused)
    assert len(calls) == 1


def test_retries_of_a_busy_google_are_announced() -> None:
    """Each pause before a retry is one line (stderr in the CLI), saying what and how long."""
    said: list[str] = []
    attempts = iter([429, 503])

    def busy() -> str:
        status = next(attempts, None)
        if status is None:
            return "done"
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(
            {"error": {"code": status, "message": "Quota exceeded", "status": "X"}}
        ).encode()
        raise APIError(response)

    policy = RetryPolicy(sleep=lambda _: None, progress=said.append)
    assert policy.run("reading the tabs", busy) == "done"
    assert len(said) == 2
    assert said[0].startswith("Google Sheets answered 429 Quota exceeded during reading the tabs")
    assert "retrying in" in said[0]
    assert said[1].startswith("Google Sheets answered 503")


# -- a key Google refuses, against a local token endpoint -----------------------------------------


class _TokenEndpoint(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps(
            {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        ).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def token_uri() -> Iterator[str]:
    """A token endpoint on 127.0.0.1 that refuses every key, as Google does a revoked one."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TokenEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/token"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def private_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def key_shop(folder: Path, private_key: str, token_uri: str) -> Path:
    """A Google shop (no api_url: the real sign-in path) whose key file uses ``token_uri``."""
    info = json.loads((REPO / "credentials.example.json").read_text(encoding="utf-8"))
    info.update(private_key=private_key, token_uri=token_uri)
    credentials = folder / "credentials.json"
    credentials.write_text(json.dumps(info), encoding="utf-8")
    credentials.chmod(0o600)
    return write_config(
        folder,
        'spreadsheet = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEFG"\n'
        'credentials = "credentials.json"',
    )


def test_sync_with_a_revoked_key_is_one_sentence_and_exit_3(
    tmp_path: Path, private_key: str, token_uri: str
) -> None:
    result = run("sync", "--config", key_shop(tmp_path, private_key, token_uri), "--now", NOW)
    assert result.exit_code == 3
    line = one_error_line(result)
    assert "Google refused the service account" in line
    assert "(invalid_grant)" in line
    assert "create a new JSON key" in line


def test_doctor_with_a_revoked_key_prints_every_other_check(
    tmp_path: Path, private_key: str, token_uri: str
) -> None:
    result = run("doctor", "--config", key_shop(tmp_path, private_key, token_uri), "--now", NOW)
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines[0].startswith("✓ Config ")
    assert [line for line in lines if line.startswith("✗")] == [
        next(line for line in lines if "Google refused the service account" in line)
    ]
    assert any("email templates render" in line for line in lines)
    assert lines[-1].startswith("1 thing to fix")


def test_no_network_while_signing_in_is_one_sentence(tmp_path: Path, private_key: str) -> None:
    config = key_shop(tmp_path, private_key, f"http://127.0.0.1:{closed_port()}/token")
    result = run("sync", "--config", config, "--now", NOW)
    assert result.exit_code == 3
    assert "check this computer's internet connection" in one_error_line(result)


def test_a_malformed_key_file_is_a_setup_error_exit_2(tmp_path: Path) -> None:
    config = key_shop(tmp_path, "x", "http://127.0.0.1:1/token")
    (tmp_path / "credentials.json").write_text("{not json", encoding="utf-8")
    result = run("sync", "--config", config, "--now", NOW)
    assert result.exit_code == 2
    assert "is not a JSON key file" in one_error_line(result)


# -- the responses tab in either language -----------------------------------------------------


def google_shop(folder: Path, server: SheetsServer, tabs: dict[str, list[list[object]]]) -> Path:
    key = server.create_spreadsheet("Toko", tabs, time_zone="Asia/Jakarta")
    shutil.copy(REPO / "credentials.example.json", folder / "credentials.json")
    (folder / "credentials.json").chmod(0o600)
    return write_config(
        folder,
        f'spreadsheet = "{key}"\ncredentials = "credentials.json"\napi_url = "{server.base_url}"',
    )


def test_doctor_finds_english_responses_for_an_indonesian_shop(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    """The offline Google trial: the server makes `Form Responses 1`, the shop speaks id."""
    config = google_shop(
        tmp_path,
        sheets_server,
        {"Form Responses 1": [["Timestamp", "Email Address", "Name", "WhatsApp", "Address"]]},
    )
    assert run("init", "--config", config).exit_code == 0
    result = run("doctor", "--config", config, "--now", NOW)
    assert "✓ The form's answers are in the tab 'Form Responses 1'." in result.stdout
    assert "✗" not in result.stdout, result.stdout
    assert result.exit_code == 0


def test_doctor_finds_a_renamed_responses_tab_by_its_headers(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    config = google_shop(
        tmp_path,
        sheets_server,
        {"Jawaban PO": [["Stempel waktu", "Alamat email", "Nama", "No. WhatsApp"]]},
    )
    assert run("init", "--config", config).exit_code == 0
    result = run("doctor", "--config", config, "--now", NOW)
    assert "✓ The form's answers are in the tab 'Jawaban PO'." in result.stdout
    assert result.exit_code == 0, result.stdout


def test_doctor_lists_the_tabs_when_no_responses_tab_is_found(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    config = google_shop(tmp_path, sheets_server, {"Sheet1": [["Hello"]]})
    assert run("init", "--config", config).exit_code == 0
    result = run("doctor", "--config", config, "--now", NOW)
    assert result.exit_code == 2
    [line] = [line for line in result.stdout.splitlines() if "form's answers" in line]
    assert line.startswith(
        "✗ No tab 'Respons Formulir 1' or 'Form Responses 1' with the form's answers "
        "(this spreadsheet has 'Sheet1', 'Produk', "
    )
    assert "Link to Sheets" in line
    assert "(the form's responses)" not in result.stdout  # the sync's own words: said once


def test_a_configured_responses_tab_is_the_only_one_looked_for(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    config = google_shop(
        tmp_path, sheets_server, {"Form Responses 1": [["Timestamp", "Email Address", "Name"]]}
    )
    with config.open("a", encoding="utf-8") as file:
        file.write('[form]\ntab = "Pesanan masuk"\n')
    result = run("doctor", "--config", config, "--now", NOW)
    assert result.exit_code == 2
    assert "✗ No tab 'Pesanan masuk' with the form's answers" in result.stdout
