"""Tables of what mailers write around a quotation: one named row per mailer or language.

core/text.py applies them; adding a mailer or a language is one row here and one example in
tests/core/test_quote_patterns.py. Every row is matched case-insensitively against one line, or
against an attribution a mailer wrapped over a few lines, joined by `text.join_wrapped`.
Rows use only non-capturing groups, so that a table can be folded into one regex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FLAGS = re.IGNORECASE

# An attribution names a date: requiring one keeps prose that ends in "wrote:" out. A clock
# time or a year will do ("On 2.4.0 I agree with what Bob wrote:" has neither); a row with no
# start word of its own needs a time, which may be written 9.14 or 9h14 in some languages.
_CLOCK = r"\d{1,2}:\d{2}"
_YEAR = r"(?<!\d)(?:19|20)\d{2}(?!\d)"
_DATED = rf"(?=.*?(?:{_CLOCK}|{_YEAR}))"
_TIMED = r"(?=.*?\d{1,2}[:.h]\d{2})"
_COLON = r"\s*[:：]\s*$"


@dataclass(frozen=True, slots=True)
class Row:
    """One named pattern."""

    name: str
    pattern: str

    @property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern, _FLAGS)


@dataclass(frozen=True, slots=True)
class Footer:
    """A footer line; some (Mailman's) count only right under a rule line."""

    name: str
    pattern: str
    after_rule: bool = False

    @property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern, _FLAGS)


@dataclass(frozen=True, slots=True)
class HeaderLabels:
    """The field names an Outlook-style quoted header block uses in one language, each a list
    of literal labels separated by "|" (matched without case, spaces or '*' emphasis)."""

    name: str
    sender: str
    date: str
    recipient: str
    subject: str


def _wrote(verb: str, *, starts: str = "") -> str:
    """ "<start word> … <verb>:" with a date, or "… <time> … <verb>:" with any start."""
    dated_start = rf"(?:{starts})\s{_DATED}.+|" if starts else ""
    return rf"^\s*(?:{dated_start}{_TIMED}.+)\s{verb}{_COLON}"


# Attribution lines whose next content, when it is not '>'-marked, is an unmarked quotation.
ATTRIBUTIONS: tuple[Row, ...] = (
    Row(
        "english",  # Gmail, Thunderbird, Apple Mail, Pony Mail: "On <date>, Bob <b@x> wrote:"
        rf"^\s*On\s{_DATED}.+?(?:\s|>|\")(?:wrote|writes)\s*:?\s*$"
        rf"|^\s*On\s{_DATED}.+@.+\ssent{_COLON}",
    ),
    Row("english-wrote-on", rf"^\s*\S.*\swrote\s+on\s{_DATED}.+{_COLON}"),  # Thunderbird custom
    Row(  # Zoho, Android, some webmails: "---- On <date> Bob wrote ----"
        "dashed", r"^\s*-{2,}\s*(?:On\s.+?|\S.{0,60}?)\s(?:wrote|writes)\s*:?\s*-{2,}\s*$"
    ),
    Row(  # Gmail in several locales, Yandex, mail.ru: "<date> <time>, Bob <b@x>:"
        "date-first",
        # An address's local part stops at its first "@": one that may hold "@" itself made a
        # line of "@"s cost cubic time, and where any "@" fits, the first does. A bare address
        # starts no later than the second character of its word: one that starts later is
        # found from there too, and trying each start of a long word cost quadratic time.
        rf"^\s*{_DATED}.*?\S\s*(?:<[^<>\s][^<>\s@]*@[^<>\s]+>|\(?(?<![^\s<>()]{{2}})[^\s<>()][^\s<>()@]*@[^\s<>()]+\)?)"
        rf"{_COLON}",
    ),
    Row("german", _wrote(r"schrieb(?:\s.*)?", starts="Am")),
    Row("french", _wrote(r"a\s+[ée]crit", starts="Le")),
    Row("spanish", _wrote(r"escribi[óo]", starts="El")),
    Row("portuguese", _wrote(r"escreveu", starts=r"Em|No\s+dia")),
    Row("italian", _wrote(r"ha\s+scritto", starts=r"Il|In\s+data")),
    Row("dutch", _wrote(r"(?:schreef(?:\s.*)?|het\s+volgende\s+geschreven)", starts="Op")),
    Row("danish-norwegian-swedish", _wrote(r"skrev(?:\s.*)?", starts="Den|På")),
    # Gmail "… kirjoitti:", Thunderbird "Bo kirjoitti 5.1.2026 klo 16.02:".
    Row("finnish", _wrote(r"kirjoitti(?:\s.*)?")),
    Row("polish", _wrote(r"(?:napisał(?:\(a\)|a)?|pisze)", starts=r"W\s+dniu|Dnia")),
    Row("czech", _wrote(r"napsal(?:\(a\)|a)?", starts="Dne")),
    Row("russian", _wrote(r"(?:написал(?:\(а\)|а)?|пишет)")),
    Row("ukrainian", _wrote(r"(?:написав(?:\(ла\)|ла)?|пише)")),
    Row("greek", _wrote(r"έγραψε")),
    Row("indonesian", _wrote(r"menulis", starts="Pada")),
    Row("thai", _wrote(r"เขียน(?:ว่า)?")),
    Row("hungarian", _wrote(r"írta")),
    Row("turkish", _wrote(r"(?:şunu\s+)?yazdı")),
    Row("vietnamese", _wrote(r"đã\s+viết", starts="Vào")),
    Row("chinese-simplified", rf"^\s*{_DATED}.+写道{_COLON}"),  # 在…写道 / …于…写道
    Row("chinese-traditional", rf"^\s*{_DATED}.+寫道{_COLON}"),
    Row("korean", rf"^\s*{_TIMED}.+님이\s*작성{_COLON}"),
)

# Every attribution above holds one of these (lower-cased) in the few lines it may span: its
# verb, or the address of a date-first one. A cheap test before the rows' regexes.
ATTRIBUTION_HINTS: tuple[str, ...] = (
    "@",
    "wrote",
    "writes",
    "schrieb",
    "crit",
    "escribi",
    "escreveu",
    "scritto",
    "schreef",
    "geschreven",
    "skrev",
    "kirjoitti",
    "napisa",
    "pisze",
    "napsal",
    "написал",
    "пишет",
    "написав",
    "пише",
    "έγραψε",
    "menulis",
    "เขียน",
    "írta",
    "yazdı",
    "viết",
    "写道",
    "寫道",
    "작성",
)

# Start words that can follow own text on the same line ("+1 On Wed, … wrote:"): the text
# before them is the author's. Case-sensitive, so a lower-case "on" in prose never splits.
ATTRIBUTION_STARTS: tuple[str, ...] = (
    "On",
    "Am",
    "Le",
    "El",
    "Em",
    "Il",
    "In data",
    "Op",
    "Den",
    "På",
    "W dniu",
    "Dnia",
    "Dne",
    "Vào",
)

# Attributions without a date: a quotation only when '>' lines follow (then the line goes),
# otherwise the line is prose ("Here is what Bob wrote:" above the author's own words).
WEAK_ATTRIBUTIONS: tuple[Row, ...] = (
    Row("english-undated", r"^\s*On\s.+\s(?:wrote|writes)\s*:?\s*$"),
    Row(  # "Bob Builder <b@x> wrote:", "bob@x writes:": a name of at most four words
        "english-name",
        r"^\s*(?:\"[^\"]{1,60}\"\s*|[^\s,;:!?]+(?:\s+[^\s,;:!?]+){0,3}\s*)(?:wrote|writes)\s*:\s*$",
    ),
)

# Mobile and webmail sign-offs: the author's text ends there, like an attribution's.
_WORDS = r"[^\s,;]+(?:\s+[^\s,;]+){0,4}"  # a name of a few words, no clause punctuation
_APP = rf"(?-i:[A-Z0-9]){_WORDS}"  # an app or device name: capitalised
SIGN_OFFS: tuple[Row, ...] = (
    Row("english-device", r"^\s*Sent\s+from\s+my\s+[\w.'’&+-]+(?:\s+[\w.'’&+()-]+){0,4}\s*[.!]?$"),
    Row(
        "english-app",
        rf"^\s*(?:Sent\s+(?:from|with|via|using)\s+{_APP}|Get\s+Outlook\s+for\s+\S+)\s*$",
    ),
    Row(
        "german",
        r"^\s*(?:Von\s+meinem\s+\S+(?:\s+\S+){0,2}\s+gesendet|Gesendet\s+(?:von|vom|mit)\s+"
        rf"{_WORDS})\s*[.!]?$",
    ),
    Row("french", rf"^\s*Envoy[ée]\s+(?:de|depuis|à\s+partir\s+de|avec)\s+{_WORDS}\s*$"),
    Row("dutch", rf"^\s*(?:Verzonden|Verstuurd)\s+(?:vanaf|met|van)\s+{_WORDS}\s*$"),
    Row("spanish", rf"^\s*Enviado\s+desde\s+(?:mi\s+)?{_WORDS}\s*$"),
    Row("portuguese", rf"^\s*Enviado\s+d[eo]\s+(?:meu\s+)?{_WORDS}\s*$"),
    Row("italian", rf"^\s*Inviato\s+da(?:l\s+mio)?\s+{_WORDS}\s*$"),
    Row("scandinavian", rf"^\s*(?:Skickat\s+från|Sendt\s+fra)\s+{_WORDS}\s*$"),
)
# How the sign-offs begin (mobile apps write them capitalised): a cheap test before their regex.
SIGN_OFF_STARTS: tuple[str, ...] = (
    "Sent ",
    "Get Outlook",
    "Von meinem",
    "Gesendet ",
    "Envoyé ",
    "Envoye ",
    "Verzonden ",
    "Verstuurd ",
    "Enviado ",
    "Inviato ",
    "Skickat ",
    "Sendt ",
)


def _dashed(phrases: str) -> str:
    return rf"^\s*[-_=*]{{2,}}\s*(?:{phrases})\s*[-_=*]{{2,}}\s*$"


# Separator lines above a quoted or forwarded mail: everything from them on is not the author's.
SEPARATORS: tuple[Row, ...] = (
    Row(
        "english",
        _dashed(r"Original\s+Message|Reply\s+Message|Forwarded\s+message")
        + r"|^\s*Begin\s+forwarded\s+message\s*:\s*$",
    ),
    Row(
        "german",
        _dashed(r"Urspr[üu]ngliche\s+Nachricht|Antwort\s+Nachricht|Weitergeleitete\s+Nachricht"),
    ),
    Row("french", _dashed(r"Message\s+d['’]origine|Message\s+original|Message\s+transf[ée]r[ée]")),
    Row(
        "danish",
        _dashed(r"Oprindelig\s+(?:meddelelse|besked)|Videresendt\s+(?:meddelelse|besked)"),
    ),
    Row("norwegian", _dashed(r"Opprinnelig\s+melding|Videresendt\s+melding")),
    Row("swedish", _dashed(r"Ursprungligt\s+meddelande|Vidarebefordrat\s+meddelande")),
    Row("dutch", _dashed(r"Oorspronkelijk\s+bericht|Origineel\s+bericht|Doorgestuurd\s+bericht")),
    Row("italian", _dashed(r"Messaggio\s+originale|Messaggio\s+inoltrato")),
    Row("spanish", _dashed(r"Mensaje\s+original|Mensaje\s+reenviado")),
    Row("portuguese", _dashed(r"Mensagem\s+original|Mensagem\s+encaminhada")),
    Row(
        "polish",
        _dashed(
            r"Oryginalna\s+wiadomo[śs][ćc]|Wiadomo[śs][ćc]\s+oryginalna|Przekazana\s+wiadomo[śs][ćc]"
        ),
    ),
    Row(
        "russian",
        _dashed(r"Исходное\s+сообщение|Пересылаемое\s+сообщение|Пересланное\s+сообщение"),
    ),
    Row("finnish", _dashed(r"Alkuper[äa]inen\s+viesti|V[äa]litetty\s+viesti")),
    Row("chinese", _dashed(r"原始邮件|原始郵件|转发邮件|轉寄郵件")),
)

# What a separator line starts with, after blanks: a cheap test before their regex.
SEPARATOR_STARTS: tuple[str, ...] = ("-", "_", "=", "*", "Begin", "begin")

# Quoted header blocks ("From: … Sent: … To: … Subject: …"), one row per language. Each field is
# an alternation of labels; a block needs a dated field and a sender or recipient field.
HEADER_LABELS: tuple[HeaderLabels, ...] = (
    HeaderLabels("english", "From", "Sent|Date", "To|Cc|Bcc|Reply-To", "Subject"),
    HeaderLabels("german", "Von", "Gesendet|Datum", "An|Cc|Kopie", "Betreff"),
    HeaderLabels(
        "french",
        "De",
        "Envoyé|Envoye|Envoyé le|Envoye le|Date|Message du",
        "À|A|Cc|Copie à|Copie a",
        "Objet|Sujet",
    ),
    HeaderLabels("dutch", "Van", "Verzonden|Datum", "Aan|Cc", "Onderwerp"),
    HeaderLabels("italian", "Da", "Inviato|Data", "A|Cc", "Oggetto"),
    HeaderLabels("spanish", "De", "Enviado|Enviado el|Fecha", "Para|Cc", "Asunto"),
    HeaderLabels("portuguese", "De", "Enviado|Enviada|Enviada em|Data", "Para|Cc", "Assunto"),
    HeaderLabels("danish-norwegian", "Fra", "Sendt|Dato", "Til|Cc", "Emne"),
    HeaderLabels("swedish", "Från", "Skickat|Datum", "Till|Kopia", "Ämne"),
    HeaderLabels("polish", "Od", "Wysłano|Data", "Do|DW", "Temat"),
    HeaderLabels("russian", "От", "Отправлено|Дата", "Кому|Копия", "Тема"),
    HeaderLabels("finnish", "Lähettäjä", "Lähetetty|Päivämäärä", "Vastaanottaja|Kopio", "Aihe"),
    HeaderLabels("chinese-simplified", "发件人", "发送时间|日期|时间", "收件人|抄送", "主题"),
    HeaderLabels("chinese-traditional", "寄件者", "寄件日期|傳送時間", "收件者|副本", "主旨"),
    HeaderLabels("japanese", "差出人", "送信日時|日付", "宛先|CC", "件名"),
    HeaderLabels("korean", "보낸 사람", "보낸 날짜|날짜", "받는 사람|참조", "제목"),
    HeaderLabels("turkish", "Kimden", "Gönderildi|Gönderilme|Tarih", "Kime|Bilgi", "Konu"),
    HeaderLabels("czech", "Od", "Odesláno|Datum", "Komu|Kopie", "Předmět"),
    HeaderLabels("hungarian", "Feladó", "Elküldve|Dátum", "Címzett|Másolatot kap", "Tárgy"),
    HeaderLabels("arabic", "من", "تاريخ الإرسال|التاريخ|أرسلت", "إلى|نسخة", "الموضوع"),
)
HEADER_KINDS = ("sender", "date", "recipient", "subject")


def label_key(label: str) -> str:
    """A header label as the tables key it: lower-case, single spaces, no '*' or '_' emphasis."""
    return " ".join(str.lower(label.strip(" \t*_")).split())


def header_label_kinds() -> dict[str, str]:
    """Every label of every language -> the field it names ("sender", "date", …)."""
    return {
        label_key(label): kind
        for labels in HEADER_LABELS
        for kind in HEADER_KINDS
        for label in getattr(labels, kind).split("|")
    }


# Footers that end the author's text: list software and notification mail.
FOOTERS: tuple[Footer, ...] = (
    Footer("asf", r"^\s*(?:To unsubscribe, e-mail:|For additional commands, e-mail:)"),
    Footer("github", r"^\s*(?:Reply to this email directly|You are receiving this because)"),
    Footer("google-groups", r"^\s*You received this message because you are subscribed to"),
    Footer("mailman", r"^\s*[\w.+-]++(?:@[\w.-]++)?\s+mailing\s+list\s*$", after_rule=True),
)


_LINE_START = r"^\s*"


def fold(rows: tuple[Row, ...] | tuple[Footer, ...]) -> re.Pattern[str]:
    r"""One regex that matches where any row matches (one pass instead of one per row).

    The rows' common start, `^\s*`, is taken out in front: then a line that starts like no row
    fails at its first letter instead of once per row."""
    patterns = [row.pattern for row in rows]
    if all(pattern.startswith(_LINE_START) for pattern in patterns):
        rest = "|".join(f"(?:{pattern[len(_LINE_START) :]})" for pattern in patterns)
        return re.compile(f"{_LINE_START}(?:{rest})", _FLAGS)
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), _FLAGS)
