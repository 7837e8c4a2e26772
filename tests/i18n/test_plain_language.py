"""What a client reads in Finnish and Swedish follows the plain-language rules of docs/plain-language.md.

The client-facing msgids are extracted afresh from the files a client's pages, flash messages, form errors
and text messages come from (``CLIENT_FILES``: every string in them; ``CLIENT_STRINGS_IN``: the named
strings of modules that also speak to staff), less ``STAFF_ONLY`` (strings of shared templates that only
staff see and that keep a professional term; the other staff strings there are held to the rules too).
Their fi and sv msgstrs are then held to measurable rules: short sentences, no jargon from the banned
lists, and the same placeholders and markup as the English source. A new string in a client
file is checked from the moment it exists; a stale exclusion fails too, so the lists cannot rot.

Exempt by design: the questionnaires' own wording (ORS/SRS item texts, the 3X10D® items and
instructions), which lives in ``portal/measures/definitions/*.toml`` and not in the catalogs — licensed or
validated text must not be reworded.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}

# Longest sentence, in words (a placeholder counts as one word). Finnish packs case endings and
# possessive suffixes into its words, so the same sentence has about a quarter fewer words than in
# Swedish; both limits sit where Selkokeskus' "short sentences, one thing per sentence" lands in practice.
MAX_WORDS = {"fi": 12, "sv": 15}

# Words a client would not know, or words the glossary replaces (docs/plain-language.md). Matched
# case-insensitively at the start of a word, so inflected forms are caught ("kliinisen", "servicebehovet").
BANNED = {
    "fi": ["kliini", "interventi", "palvelutarpee", "palvelutarve", "raja-arvo", "lisensoi", "istunno",
           "istunto", "vireilletulo", "monialai", "toteutustapa", "validoi", "sessio", "token", "asiakkuu",
           "ORS", "SRS", "FIT", "kontakti"],
    "sv": ["klinisk", "intervention", "servicebehov", "gränsvärde", "licensier", "session", "anhängiggör",
           "sektorsövergripande", "validera", "token", "klientrelation", "arbetstagar", "ORS", "SRS", "FIT",
           "modalitet"],
}
# Abbreviations are matched as whole upper-case words only (so "FIT" does not catch "Fitness"); the other
# entries as word starts in any case.
ABBREVIATIONS = {"ORS", "SRS", "FIT"}

# Every string in these files can reach a client (pages, partials, flash messages, form errors, texts).
CLIENT_FILES = [
    "templates/base.html", "templates/auth/_idle.html", "templates/partials/crisis.html", "templates/reach/_unit.html",
    "templates/me/_calm_mode.html", "templates/me/_meeting_now.html", "templates/me/home.html",
    "templates/me/practice.html", "templates/me/profile.html",
    "templates/appointments/_macros.html", "templates/appointments/cancel.html", "templates/appointments/change.html",
    "templates/appointments/feed_created.html", "templates/appointments/index.html",
    "templates/measures/_macros.html", "templates/measures/answer.html", "templates/measures/answered.html",
    "templates/measures/closed.html", "templates/measures/link_answer.html", "templates/measures/link_base.html",
    "templates/measures/link_closed.html", "templates/measures/link_thanks.html", "templates/measures/my_results.html",
    "templates/messages/_messages.html", "templates/messages/_unread.html", "templates/messages/callback.html",
    "templates/messages/_threads.html", "templates/messages/_live.html", "templates/video/_group.html",
    "templates/messages/mine.html", "templates/messages/new.html", "templates/messages/thread.html",
    "templates/network/mine.html", "templates/plans/mine.html", "templates/plans/show.html",
    "templates/plans/_macros.html", "templates/plans/_team.html", "templates/plans/versions.html",
    "templates/plans/print.html", "templates/intake/mine.html", "templates/intake/my_assessment.html",
    "templates/intake/request.html", "templates/audit/access_log.html",
    "templates/video/index.html", "templates/video/room.html", "templates/video/_call.html",
    "templates/video/_check.html", "templates/video/_strings.html", "templates/video/_wait.html",
    "templates/video/left.html", "templates/video/ended.html", "templates/video/invite_invalid.html",
    "templates/core/accessibility.html", "templates/errors/error.html",
    "templates/auth/login.html", "templates/auth/sign_in_expired.html", "templates/auth/link_error.html",
    "templates/auth/forgot.html", "templates/auth/forgot_sent.html", "templates/auth/set_password.html",
    "templates/auth/change_password.html", "templates/auth/use_identity_provider.html",
    "templates/macros/forms.html", "templates/macros/pagination.html",
    "templates/people/activate.html", "templates/people/not_registered.html", "templates/tasks/_answer.html",
    "portal/me/forms.py", "portal/me/routes.py",
    "portal/appointments/forms.py", "portal/appointments/operations.py", "portal/appointments/routes.py",
    "portal/appointments/ical.py", "portal/measures/reminders.py",
    "portal/messages/forms.py", "portal/messages/operations.py", "portal/messages/attachments.py",
    "portal/network/labels.py", "portal/audit/views.py", "portal/audit/labels.py", "portal/plans/labels.py",
    "portal/notifications/operations.py", "portal/web/errors.py", "portal/web/forms.py",
    "portal/auth/forms.py", "portal/auth/routes.py", "portal/auth/password_routes.py",
    "portal/people/preferences.py",
]

# Modules that speak to clients and staff: only these of their strings are the client's.
CLIENT_STRINGS_IN = {
    "portal/measures/routes.py": [
        "Your answers so far were saved. You can continue later.", "Thank you! Your answer was sent to your worker.",
        "This questionnaire is not open for answers now.", "Saved"],
    "portal/measures/links.py": [
        "A questionnaire to answer",
        "Silta: your worker asks you to answer a short questionnaire. The link works until %(date)s, once: %(link)s",
        "Silta, a reminder: your worker asks you to answer a short questionnaire. The link works until %(date)s, "
        "once: %(link)s"],
    "portal/measures/views.py": [
        "You have answered once so far. The line grows as you answer before each meeting.",
        "Your answers show that things have clearly got better since your first meeting.",
        "Your answers show that things have been harder lately. It is good to talk about this with your worker.",
        "Your answers have stayed about the same since your first meeting."],
    "portal/measures/labels.py": [
        "Answered in Silta", "Please check the answers marked below.", "Please answer this question.",
        "Please give a number.", "Please choose a whole number.", "The value is outside the scale.",
        "Please choose yes or no.", "This questionnaire is not open for answers now.",
        "You have already answered this questionnaire. Thank you!",
        "The questionnaire has changed since you opened it. Please check your answers and send again.",
        "This questionnaire is not yours.", "There is no such questionnaire.", "Meeting on %(date)s", "Meeting",
        "At the start", "At the end", "At %(months)s months", "Yearly survey %(year)s",
        "Feedback period %(quarter)s/%(year)s"],
    "portal/messages/routes.py": [
        "Your message was sent. It is now outside working hours, so it will be read on the next working day at "
        "the earliest.", "Your message was sent.", "Your request was sent. Your worker will call you."],
    "portal/video/operations.py": [
        "This appointment is not a video meeting.", "This video meeting has ended.",
        "This link is not valid. Ask your worker for a new one.",
        "This link has expired. Ask your worker for a new one.",
        "This link has been cancelled. Ask your worker for a new one.", "Your video meeting link",
        "Silta: your link to the video meeting: %(link)s"],
    "portal/video/routes.py": ["Choose a phone call or a home visit."],
    "portal/plans/routes.py": ["Your goal was sent to your worker.", "Well done! The step is marked done.",
                               "The step was already done.", "The note was saved."],
    "portal/plans/operations.py": [
        "The service has ended: the plan can no longer be changed.",
        "The text is too long: at most %(limit)s characters.",
        "Write the goal in a few words.", "Only your own steps can be marked done here. Your worker marks the others.",
        "Write the note first."],
    "portal/web/navigation.py": ["My page", "My plans", "Messages", "My appointments", "Video meetings", "My results",
                                 "My details", "Who has seen my data"],
    "portal/notifications/subscribers.py": [
        "Your contact person has changed",
        "Silta: you have a new contact person. Sign in to Silta to see who: %(link)s"],
    "portal/tasks/operations.py": [
        "Your worker answered your request",
        "Silta: your worker has answered your request. Sign in to Silta to read the answer: %(link)s"],
    "portal/queues/operations.py": ["A new notice in Silta", "You have a new notice in Silta. Sign in to read it."],
    "portal/caseload/operations.py": ["Your Silta activation code"],
    # the client's details (profile) and the activation page
    "portal/people/forms.py": [
        "The date of birth must be between 1900 and today.",
        "Enter a phone number with digits only, e.g. +358 40 123 4567.", "Phone number", "Email address",
        "Home address", "How should we contact you?", "I would rather meet at home than by video",
        "Anything else about contacting you (for example good times to call)",
        "Good days for meetings (none chosen: any weekday)", "Good times of day for meetings (none chosen: any time)",
        "Activation code", "Your date of birth", "Your email address (you sign in with it)", "New password",
        "New password again", "The passwords differ."],
    "portal/people/routes.py": [
        "Your account is ready. From now on, sign in with your email address and password."],
    # the client's housing service request and where the application is
    "portal/intake/forms.py": [
        "Municipality", "Choose the municipality.", "First name", "Give the first name.", "Last name",
        "Give the last name.", "Year of birth", "Give a year between %(min)s and %(max)s.", "Phone", "Email",
        "Check the email address.", "What kind of help with housing is needed?",
        "Describe the need for housing services.", "Receives the highest care allowance (Kela)", "Choose…"],
    "portal/intake/routes.py": ["Your draft was saved. You can continue later.",
                                "Your service request was sent. We will contact you."],
    "portal/intake/labels.py": [
        "Received", "Being assessed", "Decided", "In queue", "Offered a place", "Placed", "Granted", "Rejected",
        "More information needed", "Supported housing", "Communal housing", "Round-the-clock service housing"],
}

# Strings of the shared templates above that only staff see and that keep a professional term or a longer
# sentence (the worker's branch of the same page).
STAFF_ONLY = {
    # the worker's FIT graph keeps the clinical terms; the client's branch has its own strings
    "FIT graph: ORS and SRS totals over meetings", "ORS: how the client has been doing (0–40)",
    "SRS: how the meeting went (0–40)", "Clinical cutoff %(cutoff)s", "Reliable-change band: first ORS ± %(points)s",
    "ORS and SRS per meeting", "Reason",
    # plan page: the worker's controls
    "In the first phase the worker and the client estimate together how long and how much service is needed. "
    "The multidisciplinary assessment follows in the next phase.",
    "Write it as the client says it.",
    # video: the host's controls and the worker's list of meetings
    "End the meeting for everyone? No one can join it again. Then you record the meeting.",
    "It is booked in your calendar from now, and you can invite the client with a link.",
    "Your meeting with %(name)s is still booked until %(time)s.",
}


def _extract(path: str) -> set[str]:
    method = "jinja2" if path.endswith(".html") else "python"
    return {m if isinstance(m, str) else m[0]
            for _line, m, _comments, _context in extract_from_file(method, str(ROOT / path), keywords=KEYWORDS)}


@cache
def _sources() -> tuple[dict[str, set[str]], set[str]]:
    per_file = {path: _extract(path) for path in [*CLIENT_FILES, *CLIENT_STRINGS_IN]}
    client = set().union(*(per_file[p] for p in CLIENT_FILES)) - STAFF_ONLY
    client |= {m for strings in CLIENT_STRINGS_IN.values() for m in strings}
    return per_file, client


@cache
def _catalog(language: str) -> dict[str, object]:
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(f, locale=language) if m.id}


def _strings(language: str, msgid: str) -> tuple[str, ...]:
    message = _catalog(language).get(msgid)
    if message is None:  # a new string not merged yet: test_catalogs.py reports it
        return ()
    return message.string if isinstance(message.string, tuple) else (message.string,)


SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\n+")
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")
TAG = re.compile(r"<[^>]+>")
WORD = re.compile(r"%\(\w+\)s|\{\w+\}|[^\W_]+(?:[-'’][^\W_]+)*")


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(TAG.sub(" ", text)) if s.strip()]


def words(sentence: str) -> int:
    return len(WORD.findall(sentence))


def jargon(language: str, text: str) -> list[str]:
    found = []
    for term in BANNED[language]:
        pattern = rf"\b{term}\b" if term in ABBREVIATIONS else rf"(?i)\b{re.escape(term)}"
        if re.search(pattern, text):
            found.append(term)
    return found


def test_the_client_strings_are_found():
    per_file, client = _sources()
    missing = [(path, m) for path, strings in CLIENT_STRINGS_IN.items() for m in strings if m not in per_file[path]]
    assert not missing, f"listed as client strings but not in that file any more (update the list): {missing}"
    stale = sorted(STAFF_ONLY - set().union(*(per_file[p] for p in CLIENT_FILES)))
    assert not stale, f"STAFF_ONLY names strings no client file has any more: {stale}"
    assert len(client) > 500  # the extraction itself works


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_sentences_are_short(language):
    limit, long = MAX_WORDS[language], []
    for msgid in sorted(_sources()[1]):
        for text in _strings(language, msgid):
            long += [f"{words(s)} words: {s!r}" for s in sentences(text) if words(s) > limit]
    assert not long, f"{language}: split these sentences (at most {limit} words each): {long}"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_no_jargon(language):
    found = [f"{terms}: {text!r}" for msgid in sorted(_sources()[1]) for text in _strings(language, msgid)
             if (terms := jargon(language, text))]
    assert not found, f"{language}: use the glossary's everyday word (docs/plain-language.md): {found}"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_placeholders_and_markup_are_kept(language):
    problems = []
    for msgid in sorted(_sources()[1]):
        message = _catalog(language).get(msgid)
        if message is None:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = sorted(TAG.findall(sources[0]))
        known = {p for s in sources for p in PLACEHOLDER.findall(s)}
        for text in _strings(language, msgid):
            got = PLACEHOLDER.findall(text)
            if isinstance(message.id, tuple):  # a plural form may leave the count out, never add a name
                bad = not set(got) <= known
            else:
                bad = sorted(got) != sorted(PLACEHOLDER.findall(msgid))
            if bad or sorted(TAG.findall(text)) != wanted:
                problems.append(f"{msgid!r} → {text!r}")
    assert not problems, f"{language}: placeholders or markup differ from the source: {problems}"


@pytest.mark.parametrize(("language", "text", "problem"), [
    ("fi", "Viimeisin ORS on kliinisen raja-arvon yläpuolella.", {"kliini", "raja-arvo", "ORS"}),
    ("sv", "Din arbetstagare ser servicebehovet.", {"arbetstagar", "servicebehov"}),
    ("sv", "Fitness är bra.", set()),
])
def test_the_jargon_check_catches_inflected_forms(language, text, problem):
    assert set(jargon(language, text)) == problem


def test_the_sentence_check_counts_words_per_sentence():
    assert [words(s) for s in sentences("Kerro meille. Voit tallentaa luonnoksen ja jatkaa myöhemmin: %(link)s")] \
        == [2, 6, 1]
    assert [words(s) for s in sentences("Soita numeroon %(number)s, niin <strong>autamme</strong>.")] == [5]
