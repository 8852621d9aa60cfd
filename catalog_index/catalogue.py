"""Load and validate the service catalogue: seed services, their enrichment and their forms.

The data lives in ``catalog_index/data/`` so the product works without ``../shared``:
``services.yaml`` (the seed, ids kept exactly), ``enrichment.yaml`` (descriptions, synonyms,
documents and fees written for speech) and ``forms.yaml`` (application form schemas).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from catalog_index.forms import FormField, parse_field

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGS = ("ka", "en")
# Status tags of the seed: stated, stated in a dated source, inferred, unverified.
STATUSES = ("S", "S-old", "I", "U")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader, when built, is ~10x faster
# How a spoken answer qualifies a value by its status; "U" values are never spoken.
_CAVEATS = {
    "S": ("{}", "{}"),
    "S-old": ("ძველი წყაროს მიხედვით, {}", "according to an older source, {}"),
    "I": ("სავარაუდოდ, {}", "probably {}"),
}


class CatalogueError(ValueError):
    """The catalogue data is invalid; the message names the bad entry."""


@dataclass(frozen=True)
class Category:
    id: str
    name_ka: str
    name_en: str


@dataclass(frozen=True)
class Service:
    id: str
    name_ka: str
    name_en: str
    category: str
    agency: str
    agency_name_ka: str
    agency_name_en: str
    kind: str  # "functional" or "informational"
    online: bool | None
    signature_required: bool | None
    inputs: tuple[str, ...]
    fee: str | None  # the source's text with its status tag, e.g. "[S]"
    processing_time: str | None
    sources: tuple[str, ...]
    notes: str
    enrichment: Mapping[str, Any]
    form: tuple[FormField, ...]

    def name(self, lang: str) -> str:
        return self.name_ka if lang == "ka" else self.name_en

    def description(self, lang: str) -> str:
        description: str = self.enrichment["description"][_lang(lang)]
        return description

    def synonyms(self, lang: str) -> tuple[str, ...]:
        return tuple(self.enrichment["synonyms"][_lang(lang)])

    def documents(self, lang: str) -> tuple[str, ...]:
        """What to bring or attach, from the seed ``inputs``, said in ``lang``."""
        return tuple(doc[_lang(lang)] for doc in self.enrichment.get("documents", ()))

    def tiers(self) -> tuple[Mapping[str, str], ...]:
        """Fee and time by speed tier, each with ``ka``, ``en`` and its seed ``status``."""
        return tuple(self.enrichment.get("tiers", ()))

    def fee_for_speech(self, lang: str) -> str | None:
        """Fee and time tiers as one sentence fit to read out, or None when nothing is known.

        Unverified ([U]) tiers are left out: they must never be presented as fact.
        """
        index = 0 if _lang(lang) == "ka" else 1
        spoken = [_CAVEATS[t["status"]][index].format(t[_lang(lang)]) for t in self.tiers() if t["status"] != "U"]
        return "; ".join(spoken) + "." if spoken else None

    def form_field(self, name: str) -> FormField | None:
        return next((f for f in self.form if f.name == name), None)


@dataclass(frozen=True)
class Catalogue:
    categories: tuple[Category, ...]
    services: tuple[Service, ...]
    _by_id: dict[str, Service] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {s.id: s for s in self.services})

    def get(self, service_id: str) -> Service | None:
        return self._by_id.get(service_id)

    def in_category(self, category_id: str) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.category == category_id)


def _lang(lang: str) -> str:
    return "ka" if lang.startswith("ka") else "en"


def _bilingual(value: Any) -> bool:
    return isinstance(value, dict) and all(value.get(lang) for lang in LANGS)


def _check_enrichment(service_id: str, inputs: tuple[str, ...], entry: Any,
                      documents: Mapping[str, Any]) -> dict[str, Any]:
    """Validate one service's enrichment and attach its spoken document list."""
    where = f"enrichment.yaml: {service_id}"
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: missing enrichment (description and synonyms in ka and en)")
    for key in ("description", "synonyms"):
        if not _bilingual(entry.get(key)):
            raise CatalogueError(f"{where}: {key} must be given in both ka and en")
    for lang in LANGS:
        if not isinstance(entry["synonyms"][lang], list) or not all(isinstance(x, str) and x for x in entry["synonyms"][lang]):
            raise CatalogueError(f"{where}: synonyms.{lang} must be a list of non-empty strings")
    for number, tier in enumerate(entry.get("tiers") or (), 1):
        if not _bilingual(tier) or set(tier) != {"ka", "en", "status"} or tier["status"] not in STATUSES:
            raise CatalogueError(f"{where}: tier {number} needs ka, en and a status among {', '.join(STATUSES)}")
    missing = [key for key in inputs if not _bilingual(documents.get(key))]
    if missing:
        raise CatalogueError(f"{where}: no ka and en wording under documents for input {', '.join(missing)}")
    return {**entry, "documents": [documents[key] for key in inputs]}


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
    except FileNotFoundError:
        raise CatalogueError(f"{path}: file missing") from None
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: not valid YAML: {exc}") from None


def _build_form(service_id: str, entries: list[Any], library: Mapping[str, Any]) -> tuple[FormField, ...]:
    where = f"forms.yaml: {service_id}"
    built: list[FormField] = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {"field": entry}
        if not isinstance(entry, dict):
            raise CatalogueError(f"{where}: a form entry must be a field name or a mapping, not {entry!r}")
        base_name = entry.get("field")
        if base_name is not None and base_name not in library:
            raise CatalogueError(f"{where}: unknown library field {base_name!r}")
        data = {**(library[base_name] if base_name is not None else {}), **{k: v for k, v in entry.items() if k != "field"}}
        name = data.pop("name", base_name)
        if not name:
            raise CatalogueError(f"{where}: a field without a name")
        try:
            built.append(parse_field(name, data, where))
        except ValueError as exc:
            raise CatalogueError(str(exc)) from None
    names = [f.name for f in built]
    if len(set(names)) != len(names):
        raise CatalogueError(f"{where}: a field name appears twice in {names}")
    return tuple(built)


def load(data_dir: Path = DATA_DIR) -> Catalogue:
    """Read and validate the catalogue; raise CatalogueError naming the first bad entry."""
    seed = _read_yaml(data_dir / "services.yaml")
    enrichment_file = _read_yaml(data_dir / "enrichment.yaml")
    enrichment = enrichment_file.get("services") or {}
    documents = enrichment_file.get("documents") or {}
    forms = _read_yaml(data_dir / "forms.yaml") if (data_dir / "forms.yaml").exists() else {}
    library = forms.get("fields", {}) or {}
    form_entries = forms.get("forms", {}) or {}

    categories: list[Category] = []
    for raw in seed.get("categories", []):
        try:
            categories.append(Category(raw["id"], raw["name_ka"], raw["name_en"]))
        except (KeyError, TypeError) as exc:
            raise CatalogueError(f"services.yaml: category {raw!r} lacks {exc}") from None
    category_ids = {c.id for c in categories}
    if len(category_ids) != len(categories):
        raise CatalogueError("services.yaml: a category id appears twice")

    services: list[Service] = []
    seen: set[str] = set()
    for raw in seed.get("services", []):
        service_id = raw.get("id") if isinstance(raw, dict) else None
        if not service_id:
            raise CatalogueError(f"services.yaml: a service without an id: {raw!r}")
        where = f"services.yaml: {service_id}"
        if service_id in seen:
            raise CatalogueError(f"{where}: the id appears twice")
        seen.add(service_id)
        if raw.get("category") not in category_ids:
            raise CatalogueError(f"{where}: unknown category {raw.get('category')!r}")
        for key in ("name_ka", "name_en", "agency_name_ka", "agency_name_en"):
            if not raw.get(key):
                raise CatalogueError(f"{where}: missing {key}")
        if raw.get("kind") not in ("functional", "informational"):
            raise CatalogueError(f"{where}: kind must be functional or informational")
        form = _build_form(service_id, form_entries.get(service_id, []), library)
        if form and raw["kind"] != "functional":
            raise CatalogueError(f"forms.yaml: {service_id}: an informational service has no application form")
        inputs = tuple(raw.get("inputs") or ())
        services.append(Service(
            id=service_id, name_ka=raw["name_ka"], name_en=raw["name_en"], category=raw["category"],
            agency=raw.get("agency") or "", agency_name_ka=raw["agency_name_ka"], agency_name_en=raw["agency_name_en"],
            kind=raw["kind"], online=raw.get("online"), signature_required=raw.get("signature_required"),
            inputs=inputs, fee=raw.get("fee"), processing_time=raw.get("processing_time"),
            sources=tuple(raw.get("sources") or ()), notes=raw.get("notes") or "",
            enrichment=_check_enrichment(service_id, inputs, enrichment.get(service_id), documents), form=form,
        ))
    unknown = (set(enrichment) | set(form_entries)) - seen
    if unknown:
        raise CatalogueError(f"enrichment.yaml/forms.yaml: entries for unknown services: {', '.join(sorted(unknown))}")
    return Catalogue(tuple(categories), tuple(services))


@lru_cache(maxsize=1)
def get_catalogue() -> Catalogue:
    """The packaged catalogue, loaded once per process."""
    return load()
