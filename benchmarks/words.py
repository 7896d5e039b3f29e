"""Names and sentences the generated threads of the benchmarks are written with."""

FIRST = ("Hannah", "Tom", "Priya", "Wei", "Olga", "Kenji", "Maria", "David", "Aisha", "Lars")
LAST = ("Morgan", "Becker", "Iyer", "Nakamura", "Kowalski", "Silva", "Okafor", "Jensen", "Rossi")
SENTENCES = (
    "I verified the signatures and the SHA-512 checksums of the source tarball.",
    "The build from source passes on Ubuntu 22.04 with LLVM 17 and CUDA 12.2.",
    "LICENSE and NOTICE look right, and there are no unexpected binaries in the archive.",
    "The unit tests pass locally, except for one flaky RPC test that also fails on main.",
    "I ran the ResNet-50 and BERT tutorials end to end against the release candidate.",
    "The release notes mention the new Relax frontend but not the removed legacy passes.",
    "Could we add the migration guide to the website before the announcement goes out?",
    "This is not a blocker for me, but we should fix the wheel metadata in the next release.",
    "Thanks to everyone who worked on this release, it has been a long cycle.",
    "From what I can see the tarball matches the tag, so no concerns there.",
)
VOTES = ("+1", "+1 (binding)", "+1 (non-binding)", "+1, thanks for driving this", "0", "-1")
