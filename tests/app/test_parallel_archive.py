"""Reading a large archive on several processes (issue 13): the file is cut at message
boundaries, the rounds run to a fixpoint, and the answer is the same as one process and as
grouping the whole file in memory, whatever the cut."""

from __future__ import annotations

import io
import itertools
import tempfile
from pathlib import Path
from typing import Any

import pytest

from harvester.app import archive, findings, harvest
from harvester.app.archive import vote_messages_of_archive
from harvester.app.cli import main
from harvester.app.vote_index import StubRow, VoteIndex, stub_of
from harvester.app.workers import Workers
from harvester.core.threads import VoteLinks
from harvester.errors import SourceError
from harvester.sources.limits import DEFAULT_LIMITS
from harvester.sources.mbox import iter_raw_mbox, iter_raw_range, mbox_chunks
from tests.app.test_streamed_archive import generated, in_memory, streamed


def entries_of_parts(path: Path, parts: int) -> list[bytes]:
    return [
        raw.data
        for start, end in mbox_chunks(str(path), parts)
        for raw in iter_raw_range(str(path), start, end, DEFAULT_LIMITS)
    ]


def test_parts_start_at_messages_and_read_as_the_whole(tmp_path: Path) -> None:
    path = generated(tmp_path, 2000)
    whole = [raw.data for raw in iter_raw_mbox(io.BytesIO(path.read_bytes()), where="w")]
    for parts in (1, 2, 3, 7, 50):
        chunks = mbox_chunks(str(path), parts)
        assert chunks[0][0] == 0
        assert chunks[-1][1] == path.stat().st_size
        assert all(a[1] == b[0] for a, b in itertools.pairwise(chunks))
        assert len(chunks) == parts
        assert entries_of_parts(path, parts) == whole


def test_a_part_never_starts_at_an_entry_without_a_header(tmp_path: Path) -> None:
    mail = (
        "From a@x Mon Jan  5 10:00:00 2026\nFrom: A <a@apache.org>\nSubject: [VOTE] X\n"
        "Message-ID: <m{n}@x>\n\n+1\n\nFrom here on, no header.\n\n"
    )
    path = tmp_path / "mboxo.mbox"
    path.write_text("".join(mail.format(n=n) for n in range(200)))
    for start, _ in mbox_chunks(str(path), 9):
        with path.open("rb") as stream:
            stream.seek(start)
            assert stream.read(60).startswith(b"From a@x Mon Jan  5 10:00:00 2026\nFrom: A")


def mail(ident: str, subject: str, refs: str = "") -> str:
    refs_line = f"References: {refs}\n" if refs else ""
    return (
        f"From x@y Mon Jan  5 10:00:00 2026\nMessage-ID: <{ident}>\nFrom: P <p@apache.org>\n"
        f"Subject: {subject}\n{refs_line}Date: Mon, 05 Jan 2026 10:00:00 +0000\n\ntext\n\n"
    )


def test_links_found_only_in_a_third_round_are_followed(tmp_path: Path) -> None:
    """x names b; z, later, names a and b; the call, last, names a. Two reads in file order
    would miss x; the fixpoint does not, as grouping the whole file does not."""
    path = tmp_path / "chain.mbox"
    path.write_text(
        mail("x@x", "notes", "<b@x>")
        + mail("z@x", "more notes", "<a@x> <b@x>")
        + mail("c@x", "[VOTE] Adopt", "<a@x>")
        + mail("other@x", "lunch")
    )
    assert in_memory(path) == [(f"{path}#mid:c@x", ["x@x", "z@x", "c@x"])]
    assert streamed(path) == in_memory(path)


def test_several_processes_give_the_same_votes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = generated(tmp_path, 3000)
    one, last_one = vote_messages_of_archive(str(path), DEFAULT_LIMITS, Workers(1))
    monkeypatch.setattr(archive, "PARALLEL_FROM", 0)  # the parent decides: no big file needed
    with Workers(2) as workers:
        two, last_two = vote_messages_of_archive(str(path), DEFAULT_LIMITS, workers)
    with Workers(3) as workers:
        three, _ = vote_messages_of_archive(str(path), DEFAULT_LIMITS, workers)
    assert two == one
    assert three == one
    assert last_two == last_one
    assert {m.source_id for m in one} == {ident for _, ids in in_memory(path) for ident in ids}


def test_the_votes_of_a_harvest_are_counted_the_same_on_several_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = generated(tmp_path, 1500)
    argv = ["--thread", str(path), "--format", "json"]
    assert main([*argv, "--jobs", "1"]) == 0
    one = capsys.readouterr().out
    monkeypatch.setattr(harvest, "PARALLEL_TALLY_FROM", 0)
    monkeypatch.setattr(archive, "PARALLEL_FROM", 0)
    assert main([*argv, "--jobs", "2"]) == 0
    two = capsys.readouterr().out
    assert one.count("\n") > 5  # several votes, one JSON line each
    assert two == one


def test_an_error_in_a_worker_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first part holds the file's first entry, which has no header: the worker's error
    reaches the CLI as one line, not a broken process pool."""
    path = tmp_path / "no-header.mbox"
    path.write_text("From a@x Mon Jan  5 10:00:00 2026\n\njust text\n\n" + "".join(
        mail(f"m{n}@x", "[VOTE] X") for n in range(200)
    ))  # fmt: skip
    monkeypatch.setattr(archive, "PARALLEL_FROM", 0)
    assert main(["--thread", str(path), "--jobs", "2"]) == 1
    err = capsys.readouterr().err
    assert (
        err == f"harvest: error: {path} (message 1): not an e-mail message: no header lines found\n"
    )


def test_a_part_without_a_header_is_flagged_alike_on_any_number_of_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mboxo.mbox"
    split = "From here on, the text the file did not escape.\n+1\n\n"
    path.write_text("".join(mail(f"m{n}@x", "Re: [VOTE] X", "<m0@x>") + split for n in range(300)))
    one, _ = vote_messages_of_archive(str(path), DEFAULT_LIMITS, Workers(1))
    monkeypatch.setattr(archive, "PARALLEL_FROM", 0)
    with Workers(2) as workers:
        two, _ = vote_messages_of_archive(str(path), DEFAULT_LIMITS, workers)
    assert two == one
    assert len(one) == 300
    assert all(m.problems and "without a header" in m.problems[0] for m in one)


def test_the_ids_reached_go_to_the_workers_once_a_round_in_a_file(tmp_path: Path) -> None:
    """Not a copy with every part: a file a round, read once by each worker; this process,
    which wrote it, keeps its own set in hand, and forgets it when the archive is read."""
    known = frozenset({"a@x", "b@x"})
    assert archive.known_ids(archive.share_known(frozenset(), str(tmp_path), 1)) == frozenset()
    where = archive.share_known(known, str(tmp_path), 2)
    assert isinstance(where, str)
    assert Path(where).parent == tmp_path
    assert archive.known_ids(where) is known  # in hand: not read back
    archive.forget_known()
    assert archive.known_ids(where) == known  # as a worker reads it
    assert archive.known_ids(where) is archive.known_ids(where)  # once
    archive.forget_known()
    assert archive.share_known(known, None, 3) is known  # one process: no file
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "ids-4.pickle").mkdir()  # cannot be written: the ids go as they are
    assert archive.share_known(known, str(tmp_path / "full"), 4) is known


def test_no_folder_for_the_ids_still_reads_on_several_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No temporary folder can be made (a full or read-only disk): the ids go with the parts."""
    path = generated(tmp_path, 1500)
    one, _ = vote_messages_of_archive(str(path), DEFAULT_LIMITS, Workers(1))
    monkeypatch.setattr(archive, "PARALLEL_FROM", 0)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    with Workers(2) as workers:
        two, _ = vote_messages_of_archive(str(path), DEFAULT_LIMITS, workers)
    assert two == one


def test_reaching_ids_does_not_copy_what_earlier_rounds_reached() -> None:
    known = frozenset({"call@x"})
    links = VoteLinks(known)
    assert links.known is known
    assert links.take_ids("r1@x", "call@x", ("call@x",), "Re: something")
    assert not links.take_ids("o@x", "", (), "lunch")
    assert links.new == {"r1@x"}
    assert links.known == {"call@x"}


def rounds_run(path: Path, monkeypatch: pytest.MonkeyPatch, parts: int) -> tuple[int, list[str]]:
    """(rounds read, the vote mails found) with the file cut into `parts` parts."""
    monkeypatch.setattr(archive, "PARALLEL_FROM", 0)
    monkeypatch.setattr(archive, "PART_BYTES", path.stat().st_size // parts + 1)
    calls: list[bool] = []
    read = archive.read_part

    def counted(*args: Any) -> archive.Round:
        calls.append(args[0].first)  # the file's first part: one a round
        return read(*args)

    monkeypatch.setattr(archive, "read_part", counted)
    stubs, _ = archive.vote_stubs_of_archive(str(path), DEFAULT_LIMITS, Workers(1))
    assert len(calls) > sum(calls)  # read in parts
    return sum(calls), [stub.source_id for stub in stubs]


def test_one_round_is_enough_when_no_mail_left_out_names_a_vote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = generated(tmp_path, 1500)
    rounds, found = rounds_run(path, monkeypatch, parts=4)
    assert rounds == 1
    assert sorted(found) == sorted(i for _, ids in in_memory(path) for i in ids)


def test_a_reply_in_another_part_that_lost_the_subject_takes_a_second_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reply names the call, which its own part did not see: a round that knows the call
    keeps it. A mail left out that names nothing reached takes no round."""
    path = tmp_path / "apart.mbox"
    path.write_text(
        mail("c@x", "[VOTE] Adopt")
        + mail("l@x", "lunch", "<x@x>")
        + mail("r@x", "thoughts", "<c@x>")
        + mail("m@x", "more lunch", "<l@x>")
    )
    rounds, found = rounds_run(path, monkeypatch, parts=4)
    assert rounds == 2
    assert found == ["c@x", "r@x"]
    assert in_memory(path) == [(f"{path}#mid:c@x", ["c@x", "r@x"])]


def test_a_left_out_mail_is_known_by_a_digest_of_each_id_it_names() -> None:
    """Another round only when a digest a part left out is one a vote mail reached."""
    index = VoteIndex(None)
    digest = archive.id_digest
    index.add_digests(digest("b@x") + digest("c@x"), digest("a@x"))
    assert not index.reaches_more()
    index.add_digests(digest("d@x"), digest("c@x"))
    assert index.reaches_more()  # c@x, left out in the first part, reached in the second
    index.start_round()
    index.add_digests(b"", digest("a@x"))
    assert not index.reaches_more()
    assert len(digest("\udcff@x")) == archive.ID_DIGEST  # a lone surrogate too


def test_a_parts_findings_go_to_its_file_or_come_back_in_hand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found in a worker, read in this process: through a file of the scratch folder, a batch
    of vote mails at a time, or, when it cannot be opened, in hand; the same either way."""
    monkeypatch.setattr(findings, "ROWS_A_BATCH", 7)
    path = generated(tmp_path, 1500)
    part = archive.Part(str(path), 0, path.stat().st_size, first=True)
    spill = str(tmp_path / "part.pickle")
    to_file = archive.read_part(part, frozenset(), DEFAULT_LIMITS, spill)
    (tmp_path / "folder").mkdir()
    in_hand = archive.read_part(part, frozenset(), DEFAULT_LIMITS, str(tmp_path / "folder"))
    assert to_file.findings == spill
    assert isinstance(in_hand.findings, bytes)
    batches: dict[str | bytes, list[list[StubRow]]] = {spill: [], in_hand.findings: []}
    digests = [findings.load_findings(where, batches[where].append) for where in batches]
    assert digests[0] == digests[1]
    assert batches[spill] == batches[in_hand.findings]
    assert {len(batch) for batch in batches[spill][:-1]} == {7}
    sources = {stub_of(row[0], row[4]).source_id for batch in batches[spill] for row in batch}
    assert len(sources) > 100
    assert set(findings.new_ids_of(spill)) == sources == set(findings.new_ids_of(in_hand.findings))


def test_a_scratch_file_that_cannot_be_written_is_one_error(tmp_path: Path) -> None:
    """A full disk while a part's findings are written: one error line naming the file."""
    writer = findings.FindingsWriter("/dev/full")
    writer.row((1, False, False, False, b"x"))
    with pytest.raises(SourceError) as raised:
        writer.finish(b"", b"", [])
    assert str(raised.value).startswith("/dev/full: cannot write a scratch file: ")


@pytest.mark.parametrize(("threshold", "started"), [(1, True), (10**12, False)])
def test_the_readers_start_early_only_for_a_file_read_in_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: int, started: bool
) -> None:
    monkeypatch.setattr(archive, "PARALLEL_FROM", threshold)
    path = generated(tmp_path, 20)
    with Workers(2) as workers:
        archive.start_readers(str(path), workers)
        assert (workers._pool is not None) is started


def test_a_file_that_is_not_there_starts_no_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "PARALLEL_FROM", 1)
    with Workers(2) as workers:
        archive.start_readers(str(tmp_path / "gone.mbox"), workers)  # reported when read
        assert workers._pool is None
