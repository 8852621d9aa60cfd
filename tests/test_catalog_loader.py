"""The catalogue loads, keeps the seed ids, is bilingual, and bad data fails naming the entry."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from catalog_index.catalogue import DATA_DIR, CatalogueError, get_catalogue, load

SEED = Path(__file__).resolve().parents[1] / "catalog_index" / "data" / "services.yaml"


def test_every_seed_service_is_loaded_with_its_exact_id():
    seed_ids = [s["id"] for s in yaml.safe_load(SEED.read_text(encoding="utf-8"))["services"]]
    assert [s.id for s in get_catalogue().services] == seed_ids
    assert len(seed_ids) == 70


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_every_service_can_be_described_in_both_languages(lang):
    for service in get_catalogue().services:
        assert service.description(lang).strip(), service.id
        assert service.synonyms(lang), service.id
        assert len(service.documents(lang)) == len(service.inputs), service.id


def test_fees_are_spoken_with_their_caveats_and_unverified_values_are_withheld():
    catalogue = get_catalogue()
    assert "60 GEL" in catalogue.get("civil.id-card.issue").fee_for_speech("en")
    assert "ლარი" in catalogue.get("civil.id-card.issue").fee_for_speech("ka")
    assert catalogue.get("sa.driving-licence.exam").fee_for_speech("en").startswith("according to an older source")
    assert catalogue.get("nbe.debtor-registry.search").fee_for_speech("en") == "probably free."
    public_info = catalogue.get("mygov.public-information.request")
    assert any(t["status"] == "U" for t in public_info.tiers())
    assert "10 days" not in public_info.fee_for_speech("en")
    assert catalogue.get("civil.death.registration").fee_for_speech("en") is None


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    for name in ("services.yaml", "enrichment.yaml"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_the_copied_data_loads(data_copy):
    assert len(load(data_copy).services) == 70


@pytest.mark.parametrize("change, message", [
    (lambda d: d["services"]["civil.passport.issue"]["synonyms"].pop("en"), "civil.passport.issue: synonyms"),
    (lambda d: d["services"]["civil.birth.registration"]["description"].update(ka=""), "civil.birth.registration: description"),
    (lambda d: d["services"].pop("napr.property.extract"), "napr.property.extract: missing enrichment"),
    (lambda d: d["services"]["civil.id-card.issue"]["tiers"][0].update(status="maybe"), "civil.id-card.issue: tier 1"),
    (lambda d: d["documents"].pop("hospital_notification"), "civil.birth.registration: no ka and en wording"),
    (lambda d: d["services"].update({"civil.unicorn.licence": d["services"]["civil.apostille"]}), "civil.unicorn.licence"),
])
def test_broken_enrichment_names_the_bad_entry(data_copy, change, message):
    _edit(data_copy / "enrichment.yaml", change)
    with pytest.raises(CatalogueError, match=message.replace("(", r"\(")):
        load(data_copy)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["services"].append(dict(d["services"][0])), "civil.id-card.issue: the id appears twice"),
    (lambda d: d["services"][3].update(category="health"), "civil.birth.registration: unknown category 'health'"),
    (lambda d: d["services"][1].pop("name_en"), "civil.passport.issue: missing name_en"),
])
def test_broken_seed_names_the_bad_entry(data_copy, change, message):
    _edit(data_copy / "services.yaml", change)
    with pytest.raises(CatalogueError, match=message):
        load(data_copy)
