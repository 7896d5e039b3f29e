"""One reply per row of the quotation tables (core/quote_patterns.py), and the cases between rows.

Every example is a reply whose author votes -1 above what the row recognises, with a "+1 (binding)"
under it that is not the author's: it must vanish and the -1 must stay. Names, addresses and dates
are invented.
"""

from __future__ import annotations

import re

import pytest

from harvester.core import quote_patterns as qp
from harvester.core.ballots import read_ballot
from harvester.core.text import (
    cut_at_forwarded_block,
    drop_attributions,
    join_wrapped,
    plain_own_lines,
    split_lines,
)
from harvester.model import Value

OWN = "-1 (binding): the source tarball still bundles a GPL font.\n\nSorry, Ana\n\n"
QUOTED_VOTE = "+1 (binding)\n\nI checked signatures and checksums.\n"

# Lines that start an unmarked quotation (an attribution, a header block, a separator, a sign-off):
# the "+1 (binding)" right under them has no '>' and only the row can tell it is quoted.
INTRODUCERS: dict[str, str] = {
    "attribution/english": "On Tue, Mar 3, 2026 at 9:14 AM Priya Raman <praman@example.org> wrote:",
    "attribution/english-wrote-on": "Priya Raman wrote on 03/03/2026 09:14:",
    "attribution/dashed": (
        "---- On Tue, 03 Mar 2026 09:14:55 +0100 Priya Raman <praman@example.org> wrote ----"
    ),
    "attribution/date-first": "2026-03-03 9:14 GMT+01:00 Priya Raman <praman@example.org>:",
    "attribution/german": "Am 03.03.2026 um 09:14 schrieb Jonas Keller:",
    "attribution/french": "Le mar. 3 mars 2026 à 09:14, Camille Roux <croux@example.fr> a écrit :",
    "attribution/spanish": (
        "El mar, 3 mar 2026 a las 9:14, Lucía Ortega (<lortega@example.es>) escribió:"
    ),
    "attribution/portuguese": (
        "Em ter., 3 de mar. de 2026 às 09:14, João Pereira <jpereira@example.pt> escreveu:"
    ),
    "attribution/italian": (
        "Il giorno mar 3 mar 2026 alle ore 09:14 Giulia Bianchi <gbianchi@example.it> ha scritto:"
    ),
    "attribution/dutch": "Op 3 mrt. 2026, om 09:14 heeft Sanne het volgende geschreven:",
    "attribution/danish-norwegian-swedish": "Den 3 mars 2026 09:14 skrev Erik Lund:",
    "attribution/finnish": "ti 3. maalisk. 2026 klo 9.14 Aino Virtanen <av@fi.example> kirjoitti:",
    "attribution/polish": (
        "W dniu wt., 3 mar 2026 o 09:14 Marta Nowak <mnowak@example.pl> napisała:"
    ),
    "attribution/czech": "Dne út 3. 3. 2026 9:14 uživatel Petr Novák <pnovak@example.cz> napsal:",
    "attribution/russian": "3 марта 2026 г., в 09:14, Иван Петров написал(а):",
    "attribution/ukrainian": "вт, 3 бер. 2026 о 09:14 Олена Коваль <okoval@example.ua> пише:",
    "attribution/greek": "Στις Τρί 3 Μαρ 2026 στις 09:14, ο/η Νίκος <nikos@example.gr> έγραψε:",
    "attribution/indonesian": "Pada tanggal Sel, 3 Mar 2026 09.14, Budi <budi@example.id> menulis:",
    "attribution/thai": "เมื่อ อ. 3 มี.ค. 2026 09:14 Somchai <somchai@example.co.th> เขียนว่า:",
    "attribution/hungarian": "2026. márc. 3., K 9:14 Kovács Anna <akovacs@example.hu> írta:",
    "attribution/turkish": (
        "Mehmet Yılmaz <myilmaz@example.com.tr>, 3 Mar 2026 Sal, 09:14 tarihinde şunu yazdı:"
    ),
    "attribution/vietnamese": (
        "Vào 09:14 Th 3, 3 thg 3, 2026 Nguyễn Văn An <nvan@example.vn> đã viết:"
    ),
    "attribution/chinese-simplified": "在 2026年3月3日 周二 09:14，王伟 <ww@example.cn> 写道：",
    "attribution/chinese-traditional": "陳美玲 <chen@example.tw> 於 2026年3月3日 上午9:14寫道：",
    "attribution/korean": "2026년 3월 3일 (화) 오전 9:14, 김민준 <mjkim@example.kr>님이 작성:",
    "sign-off/english-device": "Sent from my iPhone",
    "sign-off/english-app": "Sent from Yahoo Mail for Android",
    "sign-off/german": "Von meinem iPhone gesendet",
    "sign-off/french": "Envoyé de mon iPad",
    "sign-off/dutch": "Verzonden vanaf mijn iPhone",
    "sign-off/spanish": "Enviado desde mi Samsung Galaxy",
    "sign-off/portuguese": "Enviado do meu iPhone",
    "sign-off/italian": "Inviato da iPhone",
    "sign-off/scandinavian": "Skickat från min iPhone",
    "separator/english": "-----Original Message-----",
    "separator/german": "-----Ursprüngliche Nachricht-----",
    "separator/french": "-------- Message d'origine --------",
    "separator/danish": "-----Oprindelig meddelelse-----",
    "separator/norwegian": "-----Opprinnelig melding-----",
    "separator/swedish": "-----Ursprungligt meddelande-----",
    "separator/dutch": "-----Oorspronkelijk bericht-----",
    "separator/italian": "-----Messaggio originale-----",
    "separator/spanish": "-----Mensaje original-----",
    "separator/portuguese": "-----Mensagem original-----",
    "separator/polish": "-----Oryginalna wiadomość-----",
    "separator/russian": "-----Исходное сообщение-----",
    "separator/finnish": "-----Alkuperäinen viesti-----",
    "separator/chinese": "------------------ 原始邮件 ------------------",
    "header/english": (
        "From: Priya Raman <praman@example.org>\nSent: Tuesday, March 3, 2026 9:14 AM\n"
        "To: dev@example.apache.org\nSubject: Re: [VOTE] Release Widgets 2.4.0"
    ),
    "header/german": (
        "Von: Jonas Keller <jkeller@example.de>\nGesendet: Dienstag, 3. März 2026 09:14\n"
        "An: dev@example.apache.org\nBetreff: AW: [VOTE] Release Widgets 2.4.0"
    ),
    "header/french": (
        "De : Camille Roux <croux@example.fr>\nEnvoyé : mardi 3 mars 2026 09:14\n"
        "À : dev@example.apache.org\nObjet : RE: [VOTE] Release Widgets 2.4.0"
    ),
    "header/dutch": (
        "Van: Sanne de Vries <sdevries@example.nl>\nVerzonden: dinsdag 3 maart 2026 09:14\n"
        "Aan: dev@example.apache.org\nOnderwerp: RE: [VOTE] Release Widgets 2.4.0"
    ),
    "header/italian": (
        "Da: Giulia Bianchi <gbianchi@example.it>\nInviato: martedì 3 marzo 2026 09:14\n"
        "A: dev@example.apache.org\nOggetto: R: [VOTE] Release Widgets 2.4.0"
    ),
    "header/spanish": (
        "De: Lucía Ortega <lortega@example.es>\nEnviado el: martes, 3 de marzo de 2026 9:14\n"
        "Para: dev@example.apache.org\nAsunto: RE: [VOTE] Release Widgets 2.4.0"
    ),
    "header/portuguese": (
        "De: João Pereira <jpereira@example.pt>\nEnviada em: terça-feira, 3 de março de 2026 09:14"
        "\nPara: dev@example.apache.org\nAssunto: RE: [VOTE] Release Widgets 2.4.0"
    ),
    "header/danish-norwegian": (
        "Fra: Erik Lund <elund@example.dk>\nSendt: 3. marts 2026 09:14\n"
        "Til: dev@example.apache.org\nEmne: SV: [VOTE] Release Widgets 2.4.0"
    ),
    "header/swedish": (
        "Från: Erik Lund <elund@example.se>\nSkickat: den 3 mars 2026 09:14\n"
        "Till: dev@example.apache.org\nÄmne: SV: [VOTE] Release Widgets 2.4.0"
    ),
    "header/polish": (
        "Od: Marta Nowak <mnowak@example.pl>\nWysłano: wtorek, 3 marca 2026 09:14\n"
        "Do: dev@example.apache.org\nTemat: RE: [VOTE] Release Widgets 2.4.0"
    ),
    "header/russian": (
        "От: Иван Петров <ipetrov@example.ru>\nОтправлено: 3 марта 2026 г. 9:14\n"
        "Кому: dev@example.apache.org\nТема: RE: [VOTE] Release Widgets 2.4.0"
    ),
    "header/finnish": (
        "Lähettäjä: Aino Virtanen <aino@example.fi>\nLähetetty: tiistai 3. maaliskuuta 2026 9.14\n"
        "Vastaanottaja: dev@example.apache.org\nAihe: VS: [VOTE] Release Widgets 2.4.0"
    ),
    "header/chinese-simplified": (
        "发件人: 王伟 <wangwei@example.cn>\n发送时间: 2026年3月3日 9:14\n"
        "收件人: dev@example.apache.org\n主题: 回复: [VOTE] Release Widgets 2.4.0"
    ),
    "header/chinese-traditional": (
        "寄件者: 陳美玲 <chen@example.tw>\n寄件日期: 2026年3月3日 上午 09:14\n"
        "收件者: dev@example.apache.org\n主旨: 回覆: [VOTE] Release Widgets 2.4.0"
    ),
    "header/japanese": (
        "差出人: 佐藤 健 <ksato@example.jp>\n送信日時: 2026年3月3日 9:14\n"
        "宛先: dev@example.apache.org\n件名: RE: [VOTE] Release Widgets 2.4.0"
    ),
    "header/korean": (
        "보낸 사람: 김민준 <mkim@example.kr>\n보낸 날짜: 2026년 3월 3일 화요일 오전 9:14\n"
        "받는 사람: dev@example.apache.org\n제목: RE: [VOTE] Release Widgets 2.4.0"
    ),
    "header/turkish": (
        "Kimden: Ayşe Yılmaz <ayse@example.com.tr>\nGönderildi: 3 Mart 2026 Salı 09:14\n"
        "Kime: dev@example.apache.org\nKonu: RE: [VOTE] Release Widgets 2.4.0"
    ),
    "header/czech": (
        "Od: Jan Novák <jan@example.cz>\nOdesláno: úterý 3. března 2026 9:14\n"
        "Komu: dev@example.apache.org\nPředmět: RE: [VOTE] Release Widgets 2.4.0"
    ),
    "header/hungarian": (
        "Feladó: Kovács Anna <anna@example.hu>\nElküldve: 2026. március 3. 9:14\n"
        "Címzett: dev@example.apache.org\nTárgy: RE: [VOTE] Release Widgets 2.4.0"
    ),
    "header/arabic": (
        "من: ليلى حسن <layla@example.com>\nتاريخ الإرسال: 3 مارس 2026 9:14\n"
        "إلى: dev@example.apache.org\nالموضوع: RE: [VOTE] Release Widgets 2.4.0"
    ),
    "footer/asf": (
        "---------------------------------------------------------------------\n"
        "To unsubscribe, e-mail: dev-unsubscribe@widgets.example.org\n"
        "For additional commands, e-mail: dev-help@widgets.example.org"
    ),
    "footer/github": "—\nReply to this email directly, view it on GitHub, or unsubscribe.",
    "footer/google-groups": (
        "---\nYou received this message because you are subscribed to the Google Groups "
        '"widgets-dev" group.'
    ),
    "footer/mailman": (
        "_______________________________________________\nwidgets-dev mailing list\n"
        "widgets-dev@lists.example.org\nhttps://lists.example.org/mailman/listinfo/widgets-dev"
    ),
}

# Undated attributions: a quotation only above '>' lines; above the author's own words, prose.
WEAK: dict[str, str] = {
    "weak/english-undated": "On Monday, Priya Raman wrote:",
    "weak/english-name": "Priya Raman <praman@example.org> wrote:",
}

TABLES: dict[str, tuple[qp.Row, ...] | tuple[qp.Footer, ...]] = {
    "attribution": qp.ATTRIBUTIONS,
    "sign-off": qp.SIGN_OFFS,
    "separator": qp.SEPARATORS,
    "footer": qp.FOOTERS,
    "weak": qp.WEAK_ATTRIBUTIONS,
}
ROWS = [f"{table}/{row.name}" for table, rows in TABLES.items() for row in rows] + [
    f"header/{labels.name}" for labels in qp.HEADER_LABELS
]


def reading(body: str) -> tuple[Value | None, str | None]:
    found = read_ballot(plain_own_lines(body))
    return (found.value, found.raw) if found is not None else (None, None)


def own_text(body: str) -> str:
    return "\n".join(plain_own_lines(body))


def _row(key: str) -> qp.Row | qp.Footer:
    table, name = key.split("/", 1)
    return next(row for row in TABLES[table] if row.name == name)


def _joins(text: str) -> list[str]:
    """Each line of the text, and each run of up to four lines joined as a wrapped one."""
    lines = split_lines(text)
    return [join_wrapped(lines[i:j]) for i in range(len(lines)) for j in range(i + 1, i + 5)]


@pytest.mark.parametrize("key", ROWS)
def test_every_row_has_an_example(key: str) -> None:
    assert key in INTRODUCERS or key in WEAK


@pytest.mark.parametrize("key", [key for key in INTRODUCERS if not key.startswith("header/")])
def test_the_example_is_what_its_row_matches(key: str) -> None:
    row = _row(key)
    assert any(row.regex.match(text) for text in _joins(INTRODUCERS[key]))


@pytest.mark.parametrize("labels", qp.HEADER_LABELS, ids=lambda labels: labels.name)
def test_the_header_example_uses_its_languages_labels(labels: qp.HeaderLabels) -> None:
    block = split_lines(INTRODUCERS[f"header/{labels.name}"])
    keys = {qp.label_key(re.split("[:：]", line)[0]) for line in block}
    for kind in qp.HEADER_KINDS:
        assert {qp.label_key(label) for label in getattr(labels, kind).split("|")} & keys


@pytest.mark.parametrize("key", INTRODUCERS)
def test_unmarked_quoted_vote_under_each_row_vanishes_and_the_own_vote_stays(key: str) -> None:
    body = OWN + INTRODUCERS[key] + "\n\n" + QUOTED_VOTE
    assert reading(body) == (
        Value.MINUS,
        "-1 (binding): the source tarball still bundles a GPL font.",
    )
    assert "+1" not in own_text(body)
    assert "I checked signatures" not in own_text(body)


@pytest.mark.parametrize("key", WEAK)
def test_undated_attribution_above_quoted_lines_goes(key: str) -> None:
    body = OWN + WEAK[key] + "\n> +1 (binding)\n> I checked signatures.\n"
    assert reading(body)[0] is Value.MINUS
    assert WEAK[key] not in own_text(body)


@pytest.mark.parametrize("key", WEAK)
def test_undated_attribution_above_own_words_is_prose(key: str) -> None:
    body = WEAK[key] + "\n-1, the NOTICE file is missing the font's licence.\n"
    assert reading(body) == (Value.MINUS, "-1, the NOTICE file is missing the font's licence.")


def test_rows_fold_into_one_regex_so_they_use_no_capturing_groups() -> None:
    for rows in TABLES.values():
        for row in rows:
            assert row.regex.groups == 0, row.name


def test_no_header_label_names_two_fields() -> None:
    seen: dict[str, str] = {}
    for labels in qp.HEADER_LABELS:
        for kind in qp.HEADER_KINDS:
            for label in getattr(labels, kind).split("|"):
                assert seen.setdefault(qp.label_key(label), kind) == kind, label


# --- between the rows: forms that combine them, and prose that must not be cut ------------------


@pytest.mark.parametrize(
    "separator",
    [
        "-----Reply Message-----",
        "-------- Original message --------",  # Samsung's mail app
        "----- Original Message -----",
        "---------- Forwarded message ---------",
        "Begin forwarded message:",
        "-----Oprindelig besked-----",
    ],
)
def test_separator_variants(separator: str) -> None:
    assert reading(OWN + separator + "\n" + QUOTED_VOTE)[0] is Value.MINUS


@pytest.mark.parametrize(
    "wrapped",
    [
        "On Tue, Mar 3, 2026 at 9:14 AM Priya Raman <\npraman@example.org> wrote:",
        "On Tue, Mar 3, 2026 at 9:14 AM Priya Raman\n<praman@example.org>\nwrote:",
        "On Mar 3, 2026,\nat 09:14,\nPriya Raman <praman@example.org> wrote:",
        "2026-03-03 9:14 GMT+01:00 Priya Raman <\npraman@example.org>:",
        "Le mar. 3 mars 2026 à 09:14, Camille Roux <croux@example.fr>\na écrit :",
        "W dniu 3 marca 2026 09:14 użytkownik Marta Nowak <mnowak@example.pl>\nnapisał:",
        "Aino Virtanen kirjoitti\n3.3.2026 klo 9.14:",
        "W dniu 3.03.2026 o 09:14, Marta Nowak\npisze:",
        "tir. 3. mar. 2026 kl. 09:14 skrev Erik Lund <elund@example.no\n>:",
    ],
)
def test_attribution_wrapped_over_two_or_three_lines(wrapped: str) -> None:
    body = OWN + wrapped + "\n\n" + QUOTED_VOTE
    assert reading(body)[0] is Value.MINUS
    assert "praman" not in own_text(body)


@pytest.mark.parametrize(
    ("line", "own"),
    [
        ("+1 On Wed, Mar 4, 2026 at 3:59 PM, Tomás Silva <tsilva@example.org> wrote:", "+1"),
        ("+1--- On Wed, Mar 4, 2026 at 3:59 PM, tsilva@example.org wrote:", "+1"),
        ("+1 (binding) Le 4 mars 2026 à 15:59, Tomás Silva a écrit :", "+1 (binding)"),
    ],
)
def test_own_vote_on_the_attribution_line_is_kept(line: str, own: str) -> None:
    body = line + "\n-1 (binding), the tarball is broken\n"
    assert plain_own_lines(body) == [own]


def test_own_vote_on_a_wrapped_attribution_line_is_kept() -> None:
    body = "+1 On Wed, Mar 4, 2026 at 3:59 PM Tomás Silva <\ntsilva@example.org> wrote:\n-1\n"
    assert plain_own_lines(body) == ["+1"]


def test_outlook_header_lines_separated_by_blank_lines() -> None:
    block = (
        "From: Priya Raman <praman@example.org>\n\nSent: Tuesday, March 3, 2026 9:14 AM\n\n"
        "To: dev@example.apache.org\n\nSubject: Re: [VOTE] Release Widgets 2.4.0\n\n"
    )
    assert reading(OWN + block + QUOTED_VOTE)[0] is Value.MINUS


def test_outlook_header_with_bold_labels_and_a_wrapped_sender() -> None:
    block = (
        "*From:* Priya Raman\n<praman.long.address@example.org>\n"
        "*Sent:* Tuesday, March 3, 2026 9:14 AM\n*To:* dev@example.apache.org\n\n"
    )
    assert reading(OWN + block + QUOTED_VOTE)[0] is Value.MINUS


def test_header_block_starting_with_its_date_and_the_rule_line_above_it() -> None:
    lines = ["-1", "", "_" * 32, "Date: Tue, 3 Mar 2026 09:14:02 +0100", "To: dev@x.org", "+1"]
    assert cut_at_forwarded_block(lines) == ["-1", ""]


def test_mobile_sign_off_above_an_outlook_block() -> None:
    body = OWN + "Get Outlook for iOS\n" + "_" * 32 + "\n" + INTRODUCERS["header/english"]
    assert reading(body + "\n\n" + QUOTED_VOTE)[0] is Value.MINUS


def test_bottom_posted_vote_under_a_sign_off_and_a_marked_quotation_is_kept() -> None:
    body = (
        "Sent from my iPhone\n\n> On Mar 3, 2026, at 09:14, Priya Raman <praman@example.org> "
        "wrote:\n>\n> +1 (binding)\n\n-1, the font is GPL\n"
    )
    assert reading(body) == (Value.MINUS, "-1, the font is GPL")


def test_quoted_attribution_does_not_swallow_the_own_line_above_it() -> None:
    body = (
        "-1 until Thursday.\n\n> On Tue, Mar 3, 2026 at 9:14 AM Priya <p@example.org> wrote:\n"
        "> +1 (binding)\n"
    )
    assert plain_own_lines(body)[0] == "-1 until Thursday."


def test_own_inline_reply_under_a_quoted_attribution_is_kept() -> None:
    body = "> Am 03.03.2026 um 09:14 schrieb Jonas Keller:\n> > +1 (binding)\n-1 from me\n"
    assert reading(body) == (Value.MINUS, "-1 from me")


@pytest.mark.parametrize(
    "prose",
    [
        "Here is what I checked:",
        "On 2.4.0 I agree with what Priya wrote:",
        "On second thought, after what Priya wrote:",
        "Priya wrote:",
        "Date: next week, if the mirrors have synced",
        "From: the release notes I see",
        "Sent from my desk, where I also ran the full build.",
        "The ---- markdown rule below is mine ----",
        "Sent with care",
    ],
)
def test_prose_that_looks_like_a_row_cuts_nothing(prose: str) -> None:
    body = f"{prose}\n-1, the NOTICE file is missing the font's licence.\n"
    assert reading(body) == (Value.MINUS, "-1, the NOTICE file is missing the font's licence.")


def test_an_own_vote_line_is_never_part_of_a_wrapped_attribution() -> None:
    lines = ["+1 (binding) for 2.4.0 at 09:14", "Priya Raman <praman@example.org> schrieb:", "> x"]
    assert drop_attributions(lines)[0] == "+1 (binding) for 2.4.0 at 09:14"


def test_sign_off_starts_and_attribution_hints_cover_their_rows() -> None:
    for key, example in INTRODUCERS.items():
        if key.startswith("sign-off/"):
            assert example.startswith(qp.SIGN_OFF_STARTS), key
        if key.startswith("attribution/"):
            assert any(hint in example.lower() for hint in qp.ATTRIBUTION_HINTS), key
        if key.startswith("separator/"):
            assert example.startswith(qp.SEPARATOR_STARTS), key


def test_attribution_start_words_are_start_words_of_rows() -> None:
    starts = re.compile("|".join(re.escape(word) for word in qp.ATTRIBUTION_STARTS))
    assert starts.match("On Tue")
    assert all(" " not in word or word in ("In data", "W dniu") for word in qp.ATTRIBUTION_STARTS)
