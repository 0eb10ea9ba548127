"""What ``program.yaml`` may say, as pydantic models.

The format is documented for users in ``docs/program-format.md``; this module is
its executable definition. Unknown keys are rejected (a typo such as ``lavel1``
must not silently drop a level).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .._config import load_config
from ..errors import Problem, ProgramIdError

PROGRAM_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def check_program_id(name: str) -> str:
    """Return ``name`` if it is a valid program id, else raise :class:`ProgramIdError`.

    A program id is the name of its folder: lowercase letters, digits and single
    hyphens (``pkp-2026-angkatan-1``), at most 64 characters. Anything else (``..``,
    ``/``, spaces, capitals) is rejected, so an id can never lead a path outside
    the output folder.

    Examples
    --------
    >>> check_program_id("mot-2026-a1")
    'mot-2026-a1'
    """
    if not isinstance(name, str) or len(name) > 64 or not PROGRAM_ID_RE.match(name):
        raise ProgramIdError(Problem("bad_program_id", file=str(name), params={"id": name}))
    return name


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Subscale(_Strict):
    items: list[str] = Field(min_length=1)
    reverse: list[str] = Field(default_factory=list)
    label: dict[str, str] = Field(default_factory=dict)  # {"id": ..., "en": ...}
    item_text: dict[str, dict[str, str]] = Field(default_factory=dict)  # item → {"id": ..., "en": ...}

    @model_validator(mode="after")
    def _reverse_in_items(self):
        missing = [r for r in self.reverse if r not in self.items]
        if missing:
            raise ValueError(f"reverse-keyed items {missing} are not among this scale's items")
        return self


class Instrument(_Strict):
    """A questionnaire: its label set, nominal range and (sub)scales.

    ``builtin: berakhlak`` or ``builtin: pp30_2019`` takes a ready-made instrument from
    ``config/instruments.yaml`` (``only:`` keeps some of its scales, e.g. PP 30/2019 without
    ``kepemimpinan`` for non-managerial staff); ``labels`` and ``scale`` may still be set."""

    builtin: str | None = None
    only: list[str] = Field(default_factory=list)
    #: ``ikm``: the nine service elements of PermenPANRB 14/2017, reported as an IKM as well
    kind: Literal["likert", "ikm"] = "likert"
    labels: str | dict[str, float] | None = None
    scale: tuple[float, float] = (1, 5)
    scales: dict[str, Subscale]
    #: construct validity in the report's appendix: ``efa`` (KMO, Bartlett, parallel analysis,
    #: minres/oblimin EFA) or ``cfa`` (one factor per scale, ML, fit indices with Hu & Bentler's cut-offs)
    validation: Literal["efa", "cfa"] | None = Field(default=None, alias="validate")

    @model_validator(mode="before")
    @classmethod
    def _expand_builtin(cls, data):
        if not isinstance(data, dict) or not data.get("builtin"):
            return data
        known = builtin_instruments()
        name = data["builtin"]
        if name not in known:
            raise ValueError(f"builtin instrument '{name}' is unknown (known: {', '.join(known)})")
        if data.get("scales"):
            raise ValueError(f"builtin instrument '{name}' brings its own scales: remove 'scales' (use 'only' to keep some)")
        ins = known[name]
        only = data.get("only") or list(ins["scales"])
        unknown = [o for o in only if o not in ins["scales"]]
        if unknown:
            raise ValueError(f"only: {unknown} are not scales of '{name}' (scales: {', '.join(ins['scales'])})")
        out = dict(data)
        out.setdefault("labels", ins.get("labels"))
        out.setdefault("scale", tuple(ins["scale"]))
        out.setdefault("kind", ins.get("kind", "likert"))
        out["scales"] = {k: {"items": list(v["items"]), "label": v["label"], "item_text": v["items"]}
                         for k, v in ins["scales"].items() if k in only}
        return out

    @field_validator("scale")
    @classmethod
    def _ordered(cls, v):
        if v[0] >= v[1]:
            raise ValueError("scale must be [minimum, maximum] with minimum < maximum")
        return v

    @model_validator(mode="after")
    def _ikm_shape(self):
        if self.kind == "ikm" and (len(self.items()) != 9 or tuple(self.scale) != (1, 4)):
            raise ValueError(f"an IKM instrument has 9 elements on a 1–4 scale (this one: {len(self.items())} "
                             f"items, scale {self.scale[0]:g}–{self.scale[1]:g})")
        return self

    def items(self) -> list[str]:
        out: list[str] = []
        for s in self.scales.values():
            out += [i for i in s.items if i not in out]
        return out


DuplicatePolicy = Literal["error", "keep_last", "keep_first"]


class FileSpec(_Strict):
    file: str
    id_column: str | None = None
    name_columns: list[str] = Field(default_factory=list)
    columns: dict[str, str] = Field(default_factory=dict)  # header in file -> name used by evalkit
    sheet: str | int | None = None
    #: cells taken as missing in this file (instead of the program's ``missing_values``)
    missing_values: list[str] | None = None
    #: rows with the same participant: ``error`` (default; a survey with a timestamp column
    #: defaults to ``keep_last``), ``keep_last`` or ``keep_first`` submission
    duplicates: DuplicatePolicy | None = None
    #: submission time (Google Forms ``Timestamp``/``Stempel waktu``), used by keep_last/keep_first
    timestamp_column: str | None = None
    #: the file's decimal separator (``comma``: 72,5 and 1.234 = 1234; ``dot``: 72.5 and
    #: 1,234 = 1234), for a column whose values alone leave ``1.234`` ambiguous
    decimal: Literal["comma", "dot"] | None = None

    @field_validator("file")
    @classmethod
    def _relative(cls, v):
        p = Path(v)
        if p.is_absolute() or ".." in p.parts:
            raise ValueError("file must be a path inside the program folder (no '..', not absolute)")
        return v


PROFILE_FIELDS = ("sex", "rank", "grade", "position", "unit", "agency", "age", "birth_date", "education")


class ParticipantsSpec(FileSpec):
    """The roster. Only the id and the columns declared here reach ``data/processed/``:
    ``profile`` maps evalkit's profile fields (``sex``, ``rank``/``grade`` (*golongan*),
    ``position`` (*jabatan*), ``unit``, ``agency``, ``age``, ``birth_date``, ``education``) to the
    roster's headers; ``keep`` names further columns to keep as they are (masked for names
    and NIPs). Every other roster column (names, e-mails, supervisors, notes) is dropped."""

    profile: dict[str, str] = Field(default_factory=dict)
    keep: list[str] = Field(default_factory=list)

    @field_validator("profile")
    @classmethod
    def _known_fields(cls, v):
        bad = [k for k in v if k not in PROFILE_FIELDS]
        if bad:
            raise ValueError(f"roster.profile fields {bad} are unknown (known: {', '.join(PROFILE_FIELDS)})")
        return v


class Level1Spec(FileSpec):
    instrument: str
    comment_columns: list[str] = Field(default_factory=list)


class InstructorsSpec(FileSpec):
    """Ratings of the instructors (widyaiswara): one row per respondent × instructor (× session),
    items of ``instrument``. Instructors are shown by the code in ``instructor_column`` when it
    looks like a code (letters and digits, e.g. ``WI-03``); anything else (names, NIPs) is
    pseudonymized like participants."""

    instrument: str
    instructor_column: str
    subject_column: str | None = None
    min_ratings: int = Field(default=5, ge=1)


class Level2Spec(FileSpec):
    pre: str = "pre"
    post: str = "post"
    max_score: float = 100
    pass_mark: float | None = None
    reliability: float | None = Field(default=None, gt=0, lt=1)

    @field_validator("duplicates")
    @classmethod
    def _scores_unique(cls, v):
        if v not in (None, "error"):
            raise ValueError("a score sheet may not keep one of several rows of a participant "
                             "(duplicates must be 'error'): decide which score counts in the sheet's owner's records")
        return v


class Level3Spec(FileSpec):
    instrument: str
    rater_column: str = "rater"
    time_column: str = "time"
    before: str = "before"
    after: str = "after"
    weights: dict[str, float] | None = None  # rater → weight of the combined score

    @field_validator("weights")
    @classmethod
    def _weights(cls, v):
        if v is not None and (any(w < 0 for w in v.values()) or sum(v.values()) <= 0):
            raise ValueError("weights must be non-negative and not all zero")
        return v


class Level4Spec(FileSpec):
    pass


class AlternativeCostsSpec(FileSpec):
    """The same course priced in another delivery mode (e.g. the classroom version of an
    online course), for the delivery-mode comparison."""

    mode: Literal["classroom", "online", "blended"]
    participants: int | None = Field(default=None, gt=0)


class CostsSpec(FileSpec):
    alternative: AlternativeCostsSpec | None = None


class Level5Spec(FileSpec):
    """Phillips ROI: one row per benefit estimate (a participant's, or a supervisor's for a
    participant), in Rp per year, with the share the estimator attributes to the training and
    the estimator's confidence (both in %). With ``isolation: control_group`` or ``trend`` the
    benefits are already isolated by that method: the two percentages default to 100."""

    isolation: Literal["participant_estimate", "supervisor_estimate", "control_group", "trend"]
    isolation_note: str | None = None
    benefit: str = "benefit"
    contribution: str | None = "contribution"
    confidence: str | None = "confidence"
    period_months: float = Field(default=12, gt=0)
    hourly_cost: float | None = Field(default=None, ge=0)
    jp_minutes: float = Field(default=45, gt=0)
    extra_costs: dict[str, float] = Field(default_factory=dict)
    intangibles: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _method(self):
        if self.isolation in ("control_group", "trend") and not self.isolation_note:
            raise ValueError(f"level5.isolation '{self.isolation}' needs isolation_note: how the benefit of the "
                             "training was separated from other influences (group, period, figures)")
        if any(v < 0 for v in self.extra_costs.values()):
            raise ValueError("level5.extra_costs must not be negative")
        return self


class TestItemsSpec(FileSpec):
    """Answers of one test item by item (one row per test taker), scored with ``key``
    (``{item column: correct answer}``), or already scored 0/1 when ``key`` is empty."""

    key: dict[str, str] = Field(default_factory=dict)
    items: list[str] = Field(default_factory=list)
    test: Literal["pre", "post"] = "post"

    @model_validator(mode="after")
    def _some_items(self):
        if not self.key and not self.items:
            raise ValueError("give the answer key (key:) or the list of 0/1-scored items (items:)")
        return self

    def item_list(self) -> list[str]:
        return list(self.key) if self.key else list(self.items)


class AssessmentSpec(FileSpec):
    """Attempts table of an assessment path (e.g. SMART): one row per exam attempt with
    columns ``stage`` (placement, module, final), ``module``, ``attempt``, ``score``."""

    placement_pass: float = 85
    module_pass: float = 70
    max_module_attempts: int = Field(default=5, ge=1)
    final_pass: float = 70
    max_final_attempts: int = Field(default=3, ge=1)
    max_score: float = 100


class VerdictSpec(_Strict):
    """``verdict:`` in program.yaml: the evaluation's design (it bounds the strength of the
    evidence) and per-level overrides of the criteria in ``config/verdict.yaml``."""

    design: Literal["single_group", "comparison_group", "multiple_cohorts"] = "single_group"
    level1: dict[str, str | float] = Field(default_factory=dict)
    level2: dict[str, float] = Field(default_factory=dict)
    level3: dict[str, str | float] = Field(default_factory=dict)
    level4: dict[str, float] = Field(default_factory=dict)
    level5: dict[str, float] = Field(default_factory=dict)
    evidence: dict[str, float] = Field(default_factory=dict)


class ProgramSpec(_Strict):
    """The content of ``program.yaml`` (see ``docs/program-format.md``)."""

    name: str
    institution: str
    cohort: str | None = None
    year: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    jp: float | None = Field(default=None, gt=0)
    delivery_mode: Literal["classroom", "online", "blended"] = "classroom"
    participants: int | None = Field(default=None, ge=0)
    language: Literal["id", "en"] = "id"
    description: str | None = None
    #: cells taken as missing in every file (added to the built-in codes, see
    #: evalkit.ingest.cleaning); a file's own ``missing_values`` replaces this list for it
    missing_values: list[str] | None = None
    missing_values_defaults: bool = True
    label_sets: dict[str, dict[str, float]] = Field(default_factory=dict)
    instruments: dict[str, Instrument] = Field(default_factory=dict)
    roster: ParticipantsSpec | None = None
    level1: Level1Spec | None = None
    level2: Level2Spec | None = None
    level3: Level3Spec | None = None
    level4: Level4Spec | None = None
    costs: CostsSpec | None = None
    assessment: AssessmentSpec | None = None
    test_items: TestItemsSpec | None = None
    level5: Level5Spec | None = None
    instructors: InstructorsSpec | None = None
    #: band set per purpose (``reaction``, ``achievement``), names from config/bands.yaml
    bands: dict[str, str] = Field(default_factory=dict)
    #: overrides of the verdict's criteria (config/verdict.yaml) and the evaluation design
    verdict: VerdictSpec | None = None

    @model_validator(mode="after")
    def _text_lengths(self):
        from .safety import limit

        short, long_ = int(limit("text_max_chars")), int(limit("long_text_max_chars"))
        for name in ("name", "institution", "cohort"):
            v = getattr(self, name)
            if v is not None and len(v) > short:
                raise ValueError(f"{name} has {len(v)} characters; at most {short} are allowed "
                                 f"(EVALKIT_LIMIT_TEXT_MAX_CHARS raises the limit)")
        texts = [("description", self.description)]
        if self.level5 is not None:
            texts += [("level5.isolation_note", self.level5.isolation_note)]
            texts += [("level5.intangibles", t) for t in self.level5.intangibles]
            texts += [("level5.extra_costs", k) for k in self.level5.extra_costs]
        for name, v in texts:
            if v is not None and len(v) > long_:
                raise ValueError(f"{name} has {len(v)} characters; at most {long_} are allowed "
                                 f"(EVALKIT_LIMIT_LONG_TEXT_MAX_CHARS raises the limit)")
        return self

    @model_validator(mode="after")
    def _consistent(self):
        from ..bands import check_choice

        if self.costs_alternative is not None and self.costs_alternative.mode == self.delivery_mode:
            raise ValueError(f"costs.alternative.mode '{self.delivery_mode}' is the program's own delivery_mode: "
                             "the alternative prices the course in another mode")
        if self.level5 is not None and self.costs is None:
            raise ValueError("level5 (ROI) needs the program's cost lines: add costs: {file: …} to program.yaml")
        for purpose, name in self.bands.items():
            scale = None
            if purpose == "reaction" and self.level1 is not None and self.level1.instrument in self.instruments:
                scale = self.instruments[self.level1.instrument].scale
            why = check_choice(purpose, name, scale)
            if why:
                raise ValueError(why)
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        for lvl in ("level1", "level3", "instructors"):
            spec = getattr(self, lvl)
            if spec is not None and spec.instrument not in self.instruments:
                raise ValueError(
                    f"{lvl}.instrument '{spec.instrument}' is not defined under instruments "
                    f"(defined: {', '.join(self.instruments) or 'none'})"
                )
        for name, ins in self.instruments.items():
            if isinstance(ins.labels, str) and ins.labels not in self.label_sets and ins.labels not in builtin_label_sets():
                raise ValueError(
                    f"instruments.{name}.labels '{ins.labels}' is neither a built-in label set "
                    f"({', '.join(builtin_label_sets())}) nor defined under label_sets"
                )
        return self

    def label_map(self, instrument: str) -> dict[str, float] | None:
        ins = self.instruments[instrument]
        if ins.labels is None or isinstance(ins.labels, dict):
            return ins.labels
        return self.label_sets.get(ins.labels) or builtin_label_sets()[ins.labels]

    @property
    def costs_alternative(self) -> AlternativeCostsSpec | None:
        return self.costs.alternative if self.costs is not None else None

    def file_specs(self) -> dict[str, FileSpec]:
        """The data files the program names, keyed by role."""
        return {
            role: spec
            for role in ("roster", "level1", "instructors", "level2", "level3", "level4", "costs",
                         "costs_alternative", "assessment", "test_items", "level5")
            if (spec := getattr(self, role)) is not None
        }


def builtin_instruments() -> dict:
    return load_config("instruments")["instruments"]


def builtin_label_sets() -> dict[str, dict[str, float]]:
    return load_config("likert")["label_sets"]


def parse_spec(path: Path) -> ProgramSpec:
    """Read and check ``program.yaml``; every problem becomes one evalkit :class:`Problem`."""
    from pydantic import ValidationError as PydanticError

    from ..errors import ValidationError

    from .safety import check_yaml_text, safe_file

    fname = path.name
    if not path.exists() and not path.is_symlink():
        raise ValidationError(Problem("missing_program_yaml", file=str(path)))
    safe_file(path.parent, fname)  # no symlink, a regular file
    try:
        text = path.read_text("utf-8")
        check_yaml_text(text, fname)
        try:  # libyaml's loader (the same document, faster); PyYAML's own words for an error
            raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            raw = yaml.safe_load(text)
    except RecursionError:  # pragma: no cover - check_yaml_text bounds the depth first
        raise ValidationError(Problem("limit_exceeded", file=fname, params={
            "what": "yaml_max_depth", "value": "?", "limit": "?", "env": "EVALKIT_LIMIT_YAML_MAX_DEPTH"})) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise ValidationError(
            Problem("yaml_syntax", file=fname, row=row, params={"detail": str(getattr(exc, "problem", exc))})
        ) from None
    except UnicodeDecodeError:
        raise ValidationError(Problem("yaml_encoding", file=fname)) from None
    if not isinstance(raw, dict):
        raise ValidationError(Problem("yaml_not_mapping", file=fname))
    try:
        return ProgramSpec.model_validate(raw)
    except PydanticError as exc:
        problems = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
            key = "yaml_unknown_key" if err["type"] == "extra_forbidden" else "yaml_invalid"
            problems.append(
                Problem(key, file=fname, column=loc, params={"detail": err["msg"].removeprefix("Value error, ")})
            )
        raise ValidationError(problems) from None
