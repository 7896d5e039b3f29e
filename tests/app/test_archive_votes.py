"""`harvest --thread FILE.mbox` counts an archive a vote at a time (issue 13): its vote mails are
noted by their header, each vote is read whole, counted and printed by a worker, a chunk of votes
at a time, and the output is exactly what holding every vote mail at once gave."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harvester.app import archive, archive_votes, oneoff
from harvester.app.cli import main
from harvester.app.harvest import HarvestRequest
from harvester.config import Settings
from harvester.errors import SelectionError
from tests.app.test_streamed_archive import generated

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).parent.parent.parent
ROSTER = str(ROOT / "examples" / "roster.toml")


def held(request: HarvestRequest, fmt: str) -> str:
    """The output of a harvest that holds every vote (the path --db and --format email take)."""
    results = asyncio.run(oneoff._harvest(request, Settings(), NOW, io.StringIO()))
    return "".join(oneoff.render(results, fmt, Settings(), NOW))


def streamed(request: HarvestRequest, fmt: str) -> str:
    return "".join(oneoff._archive_lines(request, fmt, Settings(), NOW, io.StringIO()))


@pytest.fixture(scope="module")
def archive_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory.mktemp("archive"), 2500)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_vote_at_a_time_prints_what_holding_them_all_printed(
    archive_file: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = HarvestRequest(threads=(str(archive_file),), roster=(ROSTER,), keep_sources=False)
    expected = held(request, fmt)
    assert expected.count("[VOTE]") >= 10
    assert streamed(request, fmt) == expected
    # Several processes, chunks of three votes, every size counted apart: the same again.
    monkeypatch.setattr(archive_votes, "VOTES_A_CHUNK", 3)
    monkeypatch.setattr(archive_votes, "PARALLEL_FROM", 0)
    monkeypatch.setattr(archive, "PARALLEL_FROM", 0)
    two = HarvestRequest(threads=request.threads, roster=request.roster, jobs=2)
    assert streamed(two, fmt) == expected


def test_a_match_or_a_vote_of_the_file_picks_the_same(archive_file: Path) -> None:
    whole = HarvestRequest(threads=(str(archive_file),), keep_sources=False)
    first = held(whole, "json").splitlines()[0]
    url = json.loads(first)["sources"][0]["url"]
    assert "#mid:" in url
    one = HarvestRequest(threads=(url,), keep_sources=False)
    assert oneoff.is_one_archive(one, "json")
    assert streamed(one, "json") == held(one, "json") == first + "\n"
    title = json.loads(first)["title"].removeprefix("[VOTE] ")
    matched = HarvestRequest(threads=(str(archive_file),), match=title, keep_sources=False)
    assert streamed(matched, "json") == held(matched, "json")


def test_an_archive_with_no_vote_is_one_error_and_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "quiet.mbox"
    path.write_text(
        "From a@x Mon Jan  5 10:00:00 2026\nSubject: lunch\nMessage-ID: <l@x>\n\nhi\n\n"
    )
    request = HarvestRequest(threads=(str(path),), match="nothing", keep_sources=False)
    with pytest.raises(SelectionError):
        streamed(request, "json")
    assert main(["--thread", str(path), "--format", "json"]) == 2  # what was asked is not there
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"harvest: error: {path}: no [VOTE] thread found\n"


def test_a_file_cut_short_warns_the_vote_it_cut(tmp_path: Path) -> None:
    path = tmp_path / "cut.mbox"
    path.write_text(
        "From a@x Mon Jan  5 10:00:00 2026\nSubject: [VOTE] Adopt\nMessage-ID: <c@x>\n"
        "Date: Mon, 05 Jan 2026 10:00:00 +0000\n\nPlease vote.\n\n"
        "From b@x Mon Jan  5 11:00:00 2026\nSubject: Re: [VOTE] Adopt\nMessage-ID: <r@x>\n"
        "In-Reply-To: <c@x>\nDate: Mon, 05 Jan 2026 11:00:00 +0000\n\n+1 and the rest is mis"
    )
    request = HarvestRequest(threads=(str(path),), keep_sources=False)
    out = streamed(request, "json")
    assert out == held(request, "json")
    assert "ends mid-message" in out


def test_which_harvests_go_a_vote_at_a_time(archive_file: Path, tmp_path: Path) -> None:
    eml = tmp_path / "one.eml"
    eml.write_text("Subject: [VOTE] X\nMessage-ID: <x@x>\n\n+1\n")
    mbox = str(archive_file)
    assert oneoff.is_one_archive(HarvestRequest(threads=(mbox,), keep_sources=False), "text")
    assert not oneoff.is_one_archive(HarvestRequest(threads=(mbox,)), "json")  # --db keeps them
    assert not oneoff.is_one_archive(HarvestRequest(threads=(mbox,), keep_sources=False), "email")
    assert not oneoff.is_one_archive(
        HarvestRequest(threads=(mbox, mbox), keep_sources=False), "json"
    )
    assert not oneoff.is_one_archive(
        HarvestRequest(threads=(str(eml),), keep_sources=False), "json"
    )
    url = HarvestRequest(threads=("https://lists.apache.org/x.mbox",), keep_sources=False)
    assert not oneoff.is_one_archive(url, "json")
