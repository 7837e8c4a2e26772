"""Remote guidance (seed 000): remote share by client group, durations, support types, FIT, satisfaction."""

from __future__ import annotations

from sqlalchemy import Float, Select, String, and_, case, cast, func, literal, select, true

from portal.i18n import _l
from portal.measures.models import Answer
from portal.meetings.models import Contact
from portal.people.models import Client
from portal.programmes import registry
from portal.programmes.definitions_schema import REMOTE_MODALITIES, Modality
from portal.reports import labels
from portal.reports.figures.common import held_contacts, submitted_answers, unpivot
from portal.reports.queries import Column, Figure, Filters, age_band, count_if, count_where, ratio
from portal.reports.sql import json_list_has

PROGRAMME = "remote-guidance"
REMOTE_TARGET = 0.7  # seed 000: "yli 70 % asiakaskontakteista tapahtuu etänä"
RELIABLE_CHANGE = 5  # ORS reliable change index (measures/definitions/ors.toml: reliable_change = 5)

REMOTE = Contact.modality.in_([m.value for m in REMOTE_MODALITIES])
VIDEO = Contact.modality == Modality.VIDEO.value
OTHER_REMOTE = Contact.modality.in_([m.value for m in REMOTE_MODALITIES - {Modality.VIDEO}])
TARGET_KPI = "remote-share"


def target_modalities() -> list[str]:
    """The channels seed 000's target counts: the programme definition's remote-share KPI (default: video).

    "Yli 70 % asiakaskontakteista etänä" means remote meetings instead of home visits; counting phone calls,
    e-mails and text messages as well would inflate it."""
    definition = registry.definition(PROGRAMME)
    kpi = next((k for k in definition.kpis if k.code == TARGET_KPI), None) if definition else None
    return sorted(m.value for m in (kpi.modalities if kpi and kpi.modalities else [Modality.VIDEO]))


SHARE_COLUMNS = (
    Column("group", _l("Group"), "label"),
    Column("contacts", _l("Contacts")),
    Column("target_share", _l("Share counted toward the target"), "share", base="contacts", target=REMOTE_TARGET),
    Column("video", _l("Video meetings")),
    Column("video_share", _l("Video share"), "share", base="contacts"),
    Column("other_remote", _l("Phone, e-mail and text messages")),
    Column("other_remote_share", _l("Phone, e-mail and text messages, share"), "share", base="contacts"),
)
SHARE_NOTE = _l("Seed 000's target (over 70 % of contacts remote) means video meetings instead of home visits. "
                "The share counted toward the target counts the channels the programme definition sets (by "
                "default video only); phone calls, e-mails and text messages are shown beside it.")


def _remote_share(dimension):
    def query(filters: Filters) -> Select:
        group = dimension(filters).label("group")
        counted = Contact.modality.in_(target_modalities())
        columns = [group, func.count(Contact.id).label("contacts"),
                   ratio(count_if(counted), func.count(Contact.id)).label("target_share"),
                   count_if(VIDEO).label("video"), ratio(count_if(VIDEO), func.count(Contact.id)).label("video_share"),
                   count_if(OTHER_REMOTE).label("other_remote"),
                   ratio(count_if(OTHER_REMOTE), func.count(Contact.id)).label("other_remote_share")]
        return held_contacts(columns, filters, PROGRAMME).group_by(group).order_by(group)
    return query


def _durations(filters: Filters) -> Select:
    return (held_contacts([Contact.modality.label("group"), func.count(Contact.id).label("contacts"),
                           func.avg(cast(Contact.duration_minutes, Float)).label("mean_minutes")], filters, PROGRAMME)
            .where(Contact.duration_minutes.is_not(None)).group_by(Contact.modality).order_by(Contact.modality))


def _support_types(filters: Filters) -> Select:
    """One row per support type defined for the programme (a JSON list per contact, matched as text).

    Every type is counted in one pass over the held contacts, then unpivoted to a row per type."""
    codes = [support.code for support in registry.definition(PROGRAMME).support_types]
    worked = and_(REMOTE, Contact.worked_remotely.is_(True))
    counts = []
    for n, code in enumerate(codes):
        has = json_list_has(Contact.support_types, code)
        # The cheap modality test first: AND stops there, so the text match runs only where it can count.
        counts += [count_where(has).label(f"contacts_{n}"), count_where(and_(REMOTE, has)).label(f"remote_{n}"),
                   count_where(and_(worked, has)).label(f"worked_{n}")]
    rows = unpivot(held_contacts(counts, filters, PROGRAMME).subquery(), codes, ("contacts", "remote", "worked"))
    return (select(rows.c.group, rows.c.contacts, rows.c.remote,
                   ratio(rows.c.remote, rows.c.contacts).label("remote_share"), rows.c.worked,
                   ratio(rows.c.worked, rows.c.remote).label("worked_share"))
            .order_by(rows.c.position))


def _fit(filters: Filters) -> Select:
    moment = func.coalesce(Answer.answered_on, Answer.submitted_at)
    numbered = submitted_answers([
        Answer.enrolment_id, Answer.total,
        func.row_number().over(partition_by=Answer.enrolment_id, order_by=(moment, Answer.id)).label("first_n"),
        func.row_number().over(partition_by=Answer.enrolment_id, order_by=(moment.desc(), Answer.id.desc()))
        .label("last_n"),
    ], "ors", filters, PROGRAMME).subquery()
    per_client = (select(numbered.c.enrolment_id,
                         func.max(_when(numbered.c.first_n == 1, numbered.c.total)).label("first"),
                         func.max(_when(numbered.c.last_n == 1, numbered.c.total)).label("last"))
                  .group_by(numbered.c.enrolment_id).having(func.count() >= 2).subquery())
    improved = count_if(per_client.c.last - per_client.c.first >= RELIABLE_CHANGE)
    srs = submitted_answers([func.count(Answer.id).label("n"), func.avg(Answer.total).label("mean")], "srs",
                            filters, PROGRAMME).subquery()
    return (select(literal("all").label("group"), func.count(per_client.c.enrolment_id).label("measured"),
                   improved.label("improved"),
                   ratio(improved, func.count(per_client.c.enrolment_id)).label("improved_share"),
                   func.max(srs.c.n).label("srs_answers"), func.max(srs.c.mean).label("srs_mean"))
            .select_from(srs).outerjoin(per_client, true()))


def _when(condition, value):
    return case((condition, value))


def _satisfaction(filters: Filters) -> Select:
    year = func.substr(Answer.occurrence, 6, 4).label("group")
    overall = Answer.values["overall"].as_float()
    works = Answer.values["remote-works"].as_boolean()
    return (submitted_answers([year, func.count(Answer.id).label("respondents"),
                               func.avg(overall).label("overall_mean"),
                               count_if(works.is_(True)).label("remote_works"),
                               ratio(count_if(works.is_(True)), func.count(Answer.id)).label("remote_works_share")],
                              "satisfaction-survey", filters, PROGRAMME)
            .group_by(year).order_by(year))


SHARE_CHART = {"chart_columns": ("target_share", "video_share", "other_remote_share"), "note": SHARE_NOTE}

FIGURES = [
    Figure("000-remote-share-age", PROGRAMME, _l("Remote contacts by age band"), SHARE_COLUMNS,
           _remote_share(lambda f: age_band(f.period_end.year)), group_label=labels.age_band, **SHARE_CHART),
    Figure("000-remote-share-gender", PROGRAMME, _l("Remote contacts by gender"), SHARE_COLUMNS,
           _remote_share(lambda f: Client.gender), group_label=labels.gender, **SHARE_CHART),
    Figure("000-remote-share-diagnosis", PROGRAMME, _l("Remote contacts by diagnosis group"), SHARE_COLUMNS,
           _remote_share(lambda f: func.coalesce(cast(Client.diagnosis_group, String), "unrecorded")),
           group_label=labels.diagnosis, **SHARE_CHART),
    Figure("000-durations", PROGRAMME, _l("Meeting durations by modality"), (
        Column("group", _l("Modality"), "label"), Column("contacts", _l("Contacts")),
        Column("mean_minutes", _l("Mean duration (min)"), "mean", base="contacts")), _durations,
        group_label=labels.modality, chart_columns=("mean_minutes",)),
    Figure("000-support-types", PROGRAMME, _l("Support given, remotely and in person"), (
        Column("group", _l("Support type"), "label"), Column("contacts", _l("Contacts")),
        Column("remote", _l("Remote contacts")),
        Column("remote_share", _l("Remote share"), "share", base="contacts"),
        Column("worked", _l("Remote contacts marked as worked remotely")),
        Column("worked_share", _l("Worked remotely, share of remote"), "share", base="remote")),
        _support_types, group_label=labels.support_type(PROGRAMME), chart_columns=("remote_share", "worked_share"),
        note=_l("A contact can give several types of support; it is counted under each.")),
    Figure("000-fit", PROGRAMME, _l("FIT: outcome and alliance"), (
        Column("group", _l("Group"), "label"),
        Column("measured", _l("Clients with two or more ORS")),
        Column("improved", _l("Reliable improvement (ORS +5 from the first)")),
        Column("improved_share", _l("Share with reliable improvement"), "share", base="measured"),
        Column("srs_answers", _l("SRS answers")),
        Column("srs_mean", _l("Mean SRS"), "mean", base="srs_answers")), _fit, chart="none",
        group_label=labels.all_group),
    Figure("000-satisfaction", PROGRAMME, _l("Yearly satisfaction survey"), (
        Column("group", _l("Year"), "label"), Column("respondents", _l("Respondents")),
        Column("overall_mean", _l("Overall satisfaction (1–5), mean"), "mean", base="respondents"),
        Column("remote_works", _l("Video meetings have worked")),
        Column("remote_works_share", _l("Video meetings have worked, share"), "share", base="respondents")),
        _satisfaction, chart_columns=("remote_works_share",), confidential=True),
]
