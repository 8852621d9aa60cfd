"""``assistant catalog``: search, show and evaluate the service catalogue from the command line.

Human output is plain lines, one fact per line, so a screen reader reads it in order.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from catalog_index.catalogue import CatalogueError, Service, get_catalogue
from catalog_index.evaluate import evaluate, read_needs
from catalog_index.matcher import Match, default_index


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``catalog`` command and its subcommands to the ``assistant`` parser."""
    catalog = subparsers.add_parser("catalog", help="search the service catalogue, show a service, evaluate the matcher")
    commands = catalog.add_subparsers(title="catalog commands", metavar="SUBCOMMAND")

    def _help(_args: argparse.Namespace) -> int:
        catalog.print_help()
        return 2
    catalog.set_defaults(func=_help)

    search = commands.add_parser("search", help="find the services that fit a need")
    search.add_argument("text", nargs="?", help="the need, in Georgian (Mkhedruli or Latin letters) or English")
    search.add_argument("--top", type=int, default=5, help="at most this many services (default 5)")
    search.add_argument("--json", action="store_true", help="print a JSON array of matches")
    search.add_argument("--batch", action="store_true", help="read one need per line on standard input")
    search.add_argument("--lang", choices=("ka", "ka-Latn", "en"), help="the language of the need, if known")
    search.set_defaults(func=_search)

    show = commands.add_parser("show", help="describe one service")
    show.add_argument("id", help="service id, for example civil.id-card.issue")
    show.set_defaults(func=_show)

    ev = commands.add_parser("eval", help="top-1, top-3, MRR and no-service precision per language")
    ev.add_argument("file", type=Path, help="JSON Lines file shaped like tests/data/dev_needs.jsonl")
    ev.add_argument("--json", action="store_true", help="print the scores as JSON")
    ev.add_argument("--misses", action="store_true", help="also list the needs that were not ranked first")
    ev.set_defaults(func=_eval)


def _print_matches(matches: list[Match], as_json: bool) -> None:
    if as_json:
        print(json.dumps([m.to_json() for m in matches], ensure_ascii=False), flush=True)
    elif not matches:
        print("No service fits this need.")
    else:
        for rank, m in enumerate(matches, 1):
            print(f"{rank}. {m.name_en} ({m.name_ka}). Id {m.id}. Score {m.score:.2f}, {m.band}.")


def _search(args: argparse.Namespace) -> int:
    index = default_index()
    if args.batch:
        for line in sys.stdin:
            _print_matches(index.search(line.rstrip("\r\n"), lang=args.lang, top=args.top), args.json)
        return 0
    if args.text is None:
        print("Give the need as text, or use --batch to read needs from standard input.", file=sys.stderr)
        return 2
    _print_matches(index.search(args.text, lang=args.lang, top=args.top), args.json)
    return 0


def _describe(service: Service) -> list[str]:
    lines = [
        f"{service.name_en}.", f"{service.name_ka}.", f"Id: {service.id}.",
        f"Agency: {service.agency_name_en}.",
        service.description("en"), service.description("ka"),
        "Online on my.gov.ge: " + {True: "yes.", False: "no, in person.", None: "not confirmed."}[service.online],
    ]
    documents = service.documents("en")
    lines.append("Documents: " + "; ".join(documents) + "." if documents else "Documents: not stated in our sources.")
    lines.append("Fee and time: " + (service.fee_for_speech("en") or "not known."))
    lines += [f"Source: {source}" for source in service.sources]
    return lines


def _show(args: argparse.Namespace) -> int:
    service = get_catalogue().get(args.id)
    if service is None:
        print(f"No service with id {args.id!r}. Try: assistant catalog search \"your need\"", file=sys.stderr)
        return 1
    print("\n".join(_describe(service)))
    return 0


def _eval(args: argparse.Namespace) -> int:
    try:
        needs = read_needs(args.file)
    except (OSError, ValueError) as exc:
        print(f"Cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    index = default_index()
    # The language label is not passed on: a real user does not announce it.
    tallies = evaluate(needs, lambda text, _lang: [m.id for m in index.search(text)])
    if args.json:
        print(json.dumps({lang: t.summary() for lang, t in sorted(tallies.items())}, ensure_ascii=False))
    else:
        for lang, tally in sorted(tallies.items()):
            s = tally.summary()
            print(f"{lang}: {s['lines']} needs with a service: top-1 {s['top1']}, top-3 {s['top3']}, MRR {s['mrr']}; "
                  f"{s['no_service_lines']} needs without: no-service precision {s['no_service_precision']}.")
    if args.misses:
        print("\n".join(tallies["all"].misses) if "all" in tallies else "")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``catalog`` alone, for use before the full ``assistant`` command is installed."""
    parser = argparse.ArgumentParser(prog="catalog")
    register(parser.add_subparsers())
    args = parser.parse_args(["catalog", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.func(args) or 0)
    except CatalogueError as exc:
        print(f"Catalogue error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
