"""The `toji` command line: samples, process, search, export, read, certificate, verify.

Verbs, options and JSON keys are a contract other tools rely on: add, never rename.
Exit codes: 0 success, 1 some input failed (the rest was done), 2 cannot start
(bad arguments or query, missing font or model, archive that will not open).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

from app.auth import AuthError, PermissionDenied, acting_as, create_user, has_users, sign_in
from app.backup import BackupError
from app.batch import BatchError
from app.certificate import CertificateError
from app.export import FORMATS, export, export_to
from app.fonts import FontMissingError
from app.ingest import ScanError
from app.recognisers import ModelError
from app.search import QueryError, owner_query, search_owners, search_text
from app.settings import SettingError
from app.signing_keys import SigningKeyError
from db.archive import ArchiveError, open_archive
from ocr.engine import EngineUnavailableError, get_engine
from samples.layouts import LAYOUT_CHOICES

EXIT_OK, EXIT_PARTIAL, EXIT_FATAL = 0, 1, 2
PARCEL_HELP = ("the parcel's number as search and export print it (de37d06627e9ed42-1); "
               "an archive row number is accepted too")


def _open(target: str):  # noqa: ANN202 - db.archive.Archive
    archive = open_archive(target)
    if archive.backup:
        print(f"toji: {target} was upgraded to this version; the archive as it was is kept "
              f"at {archive.backup}", file=sys.stderr)
    return archive


def _prompt_password(prompt: str) -> str:
    import getpass

    return getpass.getpass(prompt)


def _new_password(name: str) -> str:
    """A new user's password: TOJI_NEW_PASSWORD for scripts, else asked twice."""
    if os.environ.get("TOJI_NEW_PASSWORD"):
        return os.environ["TOJI_NEW_PASSWORD"]
    if not sys.stdin.isatty():
        raise AuthError("set TOJI_NEW_PASSWORD, or run this in a terminal to type it")
    first = _prompt_password(f"password for {name}: ")
    if _prompt_password("again: ") != first:
        raise AuthError("the two passwords differ")
    return first


def _sign_in(archive, user: str | None):  # noqa: ANN001, ANN202 - Archive -> Principal
    """Signs in (TOJI_USER/TOJI_PASSWORD, --user, or prompts). An archive with no users
    yet makes its first one, the administrator, from the same sources."""
    name = user or os.environ.get("TOJI_USER")
    password = os.environ.get("TOJI_PASSWORD")
    tty = sys.stdin.isatty()
    if not has_users(archive):
        if not (name and password) and not tty:
            raise AuthError("this archive has no users yet: run toji in a terminal to create "
                            "its administrator, or set TOJI_USER and TOJI_PASSWORD")
        if not name:
            print("This archive has no users yet: create its administrator.", file=sys.stderr)
            name = input("administrator name: ").strip()
        if not password:
            password = _prompt_password(f"password for {name}: ")
            if _prompt_password("again: ") != password:
                raise AuthError("the two passwords differ")
        create_user(archive, name, "admin", password)
        print(f"toji: {name} is this archive's administrator", file=sys.stderr)
    if not name:
        if not tty:
            raise AuthError("sign in: set TOJI_USER and TOJI_PASSWORD, or give --user")
        name = input("user: ").strip()
    if password is None:
        if not tty:
            raise AuthError("sign in: set TOJI_PASSWORD for scripts, or run in a terminal")
        password = _prompt_password(f"password for {name}: ")
    return sign_in(archive, name, password)


def _samples(args: argparse.Namespace) -> int:
    from samples.fonts import FontMissingError
    from samples.generator import generate

    try:
        for page in generate(args.count, args.out, args.seed, args.form, args.degrade,
                             layout=args.layout):
            print(page.image)
    except (FontMissingError, ValueError) as exc:
        print(f"toji: {exc}", file=sys.stderr)
        return EXIT_FATAL
    return EXIT_OK


def _progress_printer():  # noqa: ANN202 - a Progress callback
    """Draws progress on one line of a terminal; elsewhere (logs, pipes) one line a minute."""
    stream = sys.stderr
    tty = stream.isatty()
    last = [0.0]

    def draw(p) -> None:  # noqa: ANN001 - app.batch.Progress
        now = time.monotonic()
        finished = p.done >= p.total
        if not tty and not finished and now - last[0] < 60:
            return
        last[0] = now
        width = 24
        filled = int(width * p.done / p.total) if p.total else width
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {p.done}/{p.total} pages  "
                f"{p.pages_per_minute:.1f} pages/min  {p.time_left} left  failed {p.failed}")
        stream.write(("\r" + line[:118].ljust(118)) if tty else line + "\n")
        if tty and finished:
            stream.write("\n")
        stream.flush()

    return draw


def _process(args: argparse.Namespace) -> int:
    from app import batch
    from app.recognisers import engine_for, resolve

    archive = args.archive
    if args.reread:
        return _reread(args)
    if args.model or args.only_review:
        raise QueryError("--model and --only-review go with --reread")
    args.engine = engine_for(archive, args.engine)
    get_engine(resolve(archive, args.engine))  # an unknown or missing engine stops here
    counts = {"stored": 0, "duplicate": 0, "failed": 0}

    def report(o: batch.Outcome) -> None:
        counts[o.status] += 1
        if o.status == "failed":
            print(f"toji: error: {o.error}", file=sys.stderr)
        elif o.status == "duplicate":
            print(f"duplicate  {o.path}  (already stored as scan {o.scan_id})", flush=True)
        else:
            review = f", {o.review} to review" if o.review else ""
            print(f"stored     {o.path}  ({o.pages} page(s), {o.lines} lines{review})",
                  flush=True)

    if args.watch:
        from app.watch import watch

        print(f"watching {args.watch} every {args.interval:g} s (Ctrl-C to stop)",
              file=sys.stderr)
        watch(archive, args.watch, args.engine, args.workers, args.interval, report,
              cluster=args.cluster)
        return EXIT_OK
    if args.resume or args.retry:
        job = (args.job or batch.unfinished_job(archive)) if args.resume else args.job
        if job is None:
            raise batch.BatchError("--retry needs --job N (the job the failures belong to)")
        if args.retry:
            items = [args.item] if args.item else None
            print(f"{batch.retry_failed(archive, job, items)} failed item(s) queued again",
                  file=sys.stderr)
    else:
        if not args.paths:
            raise QueryError("give scan files or folders, --resume, --retry or --watch")
        job = batch.create_job(archive, args.paths, args.engine)
    stop = threading.Event()
    try:
        summary = batch.run_job(archive, job, args.workers, args.cluster,
                                on_progress=None if args.quiet else _progress_printer(),
                                on_outcome=report, stop=stop)
    except KeyboardInterrupt:
        print(f"\ntoji: stopped; every stored page is kept. Continue with: "
              f"toji process --resume --db {args.db}", file=sys.stderr)
        return EXIT_PARTIAL
    p = summary.progress
    print(f"{counts['stored']} stored, {counts['duplicate']} duplicate, "
          f"{counts['failed']} failed")
    print(f"job {summary.job_id} {summary.status}: {p.stored} page(s) stored, "
          f"{p.review} to review, {p.failed} failed; {p.pages_per_minute:.1f} pages/min",
          file=sys.stderr)
    if summary.failures:
        for item, error in summary.failures:
            print(f"  item {item}: {error}", file=sys.stderr)
        print(f"retry the failed ones with: toji process --retry --job {summary.job_id} "
              f"[--item ID] --db {args.db}", file=sys.stderr)
    return EXIT_PARTIAL if summary.failures else EXIT_OK


def _search(args: argparse.Namespace) -> int:
    archive = args.archive
    if any((args.name, args.place, args.lot, args.category)):
        query = owner_query(args.name, args.place, args.lot, args.category, args.date_from,
                            args.date_to, args.desk, args.limit)
        return _print_owner_hits(search_owners(archive, query, applicant=_applicant(args)),
                                 args.json)
    if not args.text:
        raise QueryError("give TEXT, or --name, --place, --lot or --category")
    hits = search_text(archive, args.text, args.limit)
    if args.json:
        for h in hits:
            print(json.dumps({"file": h.scan_path, "page": h.page, "line": h.line,
                              "confidence": round(h.confidence, 4), "box": h.box},
                             ensure_ascii=False))
        return EXIT_OK
    for h in hits:
        print(f"{h.scan_path}  page {h.page}  {h.line}  ({h.confidence:.2f})")
    print(f"{len(hits)} line(s) contain {args.text!r}", file=sys.stderr)
    return EXIT_OK


def _print_owner_hits(hits, as_json: bool) -> int:  # noqa: ANN001 - list[OwnerHit]
    for h in hits:
        if as_json:
            print(json.dumps({"parcel": h.parcel, "file": h.file, "page": h.page,
                              "owner": h.owner, "owner_hangul": h.owner_hangul,
                              "final": h.is_final, "location": h.location,
                              "location_hangul": h.location_hangul, "modern": h.modern,
                              "lot": h.lot, "category": h.category, "area_m2": h.area_m2,
                              "rank": h.rank, "why": h.why}, ensure_ascii=False))
        else:
            area = f"{h.area_m2:,.2f} m²" if h.area_m2 is not None else "-"
            print(f"{h.parcel}  {h.owner} ({h.owner_hangul})  {h.location_hangul or h.location} "
                  f"{h.lot or ''}  {h.category or ''}  {area}  [{h.why}]  {h.file} p.{h.page}")
    print(f"{len(hits)} parcel(s)", file=sys.stderr)
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    archive = args.archive
    if args.out is None:
        if args.format == "csv":
            sys.stdout.reconfigure(encoding="utf-8-sig")
        count = export(archive, sys.stdout, args.format)
        print(f"{count} parcel(s) exported", file=sys.stderr)
        return EXIT_OK
    try:
        summary = export_to(archive, args.format, args.out)
    except OSError as exc:
        print(f"toji: {exc.filename or args.out}: cannot write ({exc.strerror or exc})",
              file=sys.stderr)
        return EXIT_FATAL
    print(f"{summary} exported to {args.out}", file=sys.stderr)
    return EXIT_OK


def _read(args: argparse.Namespace) -> int:
    from translit.dictionary import DictionaryMissingError
    from translit.reading import read_as

    try:
        reading = read_as(args.text, args.kind)
    except ValueError as exc:
        print(f"toji: {exc}", file=sys.stderr)
        return EXIT_PARTIAL
    except DictionaryMissingError as exc:
        print(f"toji: {exc}", file=sys.stderr)
        return EXIT_FATAL
    print(reading.hangul)
    for key, value in reading.details.items():
        print(f"{key}: {value}")
    if len(reading.parts) > 1 or any(p.source != "dictionary" for p in reading.parts):
        print("parts: " + " · ".join(f"{p.hanja}={p.hangul} ({p.source})" for p in reading.parts))
    if reading.unknown:
        print(f"unknown: {''.join(reading.unknown)} (no reading known; kept as written)")
    return EXIT_OK


def _correct(args: argparse.Namespace) -> int:
    from app.review import correct_field

    value = correct_field(args.archive, args.parcel, args.field, args.value)
    print(json.dumps(value, ensure_ascii=False))
    return EXIT_OK


def _link(args: argparse.Namespace) -> int:
    from app.review import link_korean_name

    link = link_korean_name(args.archive, args.parcel, args.owner - 1, args.korean_name)
    print(json.dumps(link, ensure_ascii=False))
    return EXIT_OK


def _history(args: argparse.Namespace) -> int:
    from app.review import history

    versions = history(args.archive, args.parcel, args.field)
    for v in versions:
        print(f"{v.field}  {v.value}  ({v.source}{', ' + v.at if v.at else ''})")
    return EXIT_OK


def _reread(args: argparse.Namespace) -> int:
    from app.recognisers import DEFAULT, engine_for, model_path, resolve
    from app.reread import reread

    archive = args.archive
    if args.paths:
        raise QueryError("--reread reads the archive's stored pages: give no paths")
    if args.model == DEFAULT:
        spec = "rapidocr"
    elif args.model:
        spec = f"rapidocr@{model_path(archive, args.model)}"
    else:
        spec = resolve(archive, engine_for(archive, args.engine))
    counts = {"reread": 0, "kept": 0, "failed": 0}

    def report(outcome, done: int, total: int) -> None:  # noqa: ANN001 - app.reread.Reread
        counts[outcome.status] += 1
        if outcome.status == "failed":
            print(f"toji: error: {outcome.error}", file=sys.stderr)
        elif not args.quiet:
            kept = f", {outcome.kept_confirmed} confirmed field(s) kept" \
                if outcome.kept_confirmed else ""
            review = ", to review" if outcome.needs_review else ""
            print(f"{outcome.status:<7} page {outcome.page_id} ({done}/{total}){kept}{review}",
                  flush=True)

    done = reread(archive, spec, args.only_review, report)
    to_review = sum(o.needs_review for o in done if o.status != "failed")
    print(f"{counts['reread']} page(s) read again with {get_engine(spec).name}, "
          f"{counts['kept']} kept their reading, {counts['failed']} failed; "
          f"{to_review} to review", file=sys.stderr)
    return EXIT_PARTIAL if counts["failed"] else EXIT_OK


def _train(args: argparse.Namespace) -> int:
    from app.recognisers import train

    last = [0.0]

    def progress(p) -> None:  # noqa: ANN001 - ocr.finetune.Progress
        now = time.monotonic()
        if p.held_out_cer is None and now - last[0] < 10:
            return
        last[0] = now
        if p.held_out_cer is None:
            print(f"epoch {p.epoch}/{p.epochs}: {p.lines}/{p.total} lines, "
                  f"{p.lines_per_second:.1f} lines/s, loss {p.loss:.3f}", file=sys.stderr)

    info = train(args.archive, args.out, args.epochs, args.with_samples,
                 say=lambda text: print(text, file=sys.stderr, flush=True), progress=progress)
    if args.json:
        from dataclasses import asdict

        print(json.dumps(asdict(info), ensure_ascii=False))
    return EXIT_OK


def _models(args: argparse.Namespace) -> int:
    from app import recognisers

    archive = args.archive
    if args.action == "use":
        if not args.name:
            raise QueryError("toji models use NAME --db FILE (or 'default')")
        recognisers.use(archive, args.name)
        print(f"pages are read with {args.name} from now on", file=sys.stderr)
        return EXIT_OK
    active = recognisers.in_use(archive) or recognisers.DEFAULT
    rows = [{"name": recognisers.DEFAULT, "in_use": active == recognisers.DEFAULT,
             "created": None, "held_out_cer": None, "lines_trained": None,
             "new_characters": ""}]
    for m in recognisers.list_models(archive):
        rows.append({"name": m.name, "in_use": active == m.name, "created": m.created,
                     "held_out_cer": m.after["cer"], "before_cer": m.before["cer"],
                     "compared_with": m.compared_with, "lines_trained": m.lines_trained,
                     "pages_trained": m.pages_trained, "new_characters": m.new_characters})
    for row in rows:
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
            continue
        mark = "*" if row["in_use"] else " "
        if row["created"] is None:
            print(f"{mark} {row['name']:<24} the shipped PP-OCRv6-small recogniser")
        else:
            print(f"{mark} {row['name']:<24} {row['created']}  held-out CER "
                  f"{row['held_out_cer']:.4f} ({row['compared_with']}: {row['before_cer']:.4f})"
                  f"  {row['lines_trained']} lines of {row['pages_trained']} pages"
                  f"  new: {row['new_characters'] or '-'}")
    return EXIT_OK


def _forms(args: argparse.Namespace) -> int:
    from app import forms

    if args.action == "learn":
        if not args.page or not args.name:
            raise QueryError("toji forms learn PAGE --name NAME --db FILE (PAGE: a page id, "
                             "or FILE[:N], a scan in the archive and its page)")
        page_id = forms.find_page(args.archive, args.page)
        info = forms.learn(args.archive, page_id, args.name, args.engine)
        if args.json:
            print(json.dumps({"name": info.name, "kind": info.kind, "fields": info.fields,
                              "page": page_id}, ensure_ascii=False))
        else:
            print(f"form {info.name} ({info.kind}, {info.fields} fields) learnt from page "
                  f"{page_id}; pages of its printing are read by it from now on")
        return EXIT_OK
    for f in forms.list_forms(args.archive):
        if args.json:
            print(json.dumps({"name": f.name, "kind": f.kind, "source": f.source,
                              "fields": f.fields, "pages": f.pages, "page": f.page_id,
                              "created_by": f.created_by, "created_at": f.created_at},
                             ensure_ascii=False))
        else:
            learnt = f"  learnt from page {f.page_id} by {f.created_by}" if f.source == "learnt" \
                else ""
            print(f"{f.name}  {f.kind}  {f.source}  {f.fields} fields  {f.pages} page(s){learnt}")
    return EXIT_OK


def _certificate(args: argparse.Namespace) -> int:
    from app.certificate import issue

    issued = issue(args.archive, args.parcel, args.out, applicant=_applicant(args),
                   final_only=args.final_owner_only)
    if args.json:
        print(json.dumps({"number": issued.number, "code": issued.code,
                          "file": str(issued.path), "parcel": issued.content["parcel"]}, ensure_ascii=False))
    else:
        print(f"certificate {issued.number}  code {issued.code}  -> {issued.path}")
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    from app.certificate_check import load_trust, verify_code, verify_file

    archive = args.archive
    target = Path(args.target)
    is_file = target.suffix.lower() == ".pdf" or target.exists()
    if not is_file and archive is None:
        raise QueryError("a code is checked against the issuing archive's register: "
                         "give --db")
    result = (verify_file(archive, target, trust=load_trust(args.trust)) if is_file
              else verify_code(archive, args.target))
    if args.json:
        print(json.dumps({"ok": result.ok, "number": result.number,
                          "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail}
                                     for c in result.checks],
                          "unchecked": result.unchecked}, ensure_ascii=False))
    else:
        for c in result.checks:
            print(f"{'ok  ' if c.ok else 'FAIL'}  {c.name}: {c.detail}")
        for what in result.unchecked:
            print(f"not checked  {what}")
        if result.ok and result.content and not is_file:
            content = result.content
            print(f"{content['title']} {content['number']}, {content['issued_text']}")
            for label, value, _ in content["land"]:
                print(f"  {label}: {value}")
            for row in content["owners"]:
                print(f"  소유자 {row[0]}: {row[4]} ({row[1]}, {row[2]})")
        verdict = ("NOT VERIFIED" if not result.ok else
                   "verified: issued by this archive and unaltered" if archive is not None
                   and not result.unchecked else "verified as far as it could be checked")
        print(verdict, file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_PARTIAL


def _keys(args: argparse.Namespace) -> int:
    from app import settings, signing_keys
    from app.search import current_actor

    archive = args.archive
    if archive is None and args.action != "store":
        raise QueryError(f"toji keys {args.action} needs --db (the archive)")
    if args.action == "store":
        if args.file:
            signing_keys.choose_store(args.file)
        print(f"this PC keeps private keys in: {signing_keys.store_choice()} "
              f"({signing_keys.STORES[signing_keys.store_choice()]}); folder "
              f"{signing_keys.key_home()}")
        return EXIT_OK
    if args.action == "new":
        row = signing_keys.make_key(archive, settings.get(archive, "office") or "",
                                    current_actor())
        print(f"new signing key {signing_keys.spaced(row.fingerprint)} ({row.subject}); "
              f"the previous one is retired and still verifies what it signed")
        return EXIT_OK
    if args.action == "import":
        if not args.file:
            raise QueryError("toji keys import OFFICE.p12 --db …")
        path = Path(args.file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise QueryError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        password = os.environ.get(args.password_env) if args.password_env else \
            _prompt_password(f"password of {path.name}: ")
        row = signing_keys.import_pkcs12(archive, data, password.encode() if password else None,
                                         current_actor(), str(path))
        print(f"imported {row.subject}, SHA-256 {signing_keys.spaced(row.fingerprint)}; "
              f"certificates are signed with it from now on")
        return EXIT_OK
    if args.action == "export":
        print(signing_keys.export_certificate(archive, args.file), end="")
        return EXIT_OK
    for key in signing_keys.list_keys(archive):
        state = "in use" if key.retired_at is None else f"retired {key.retired_at:%Y-%m-%d}"
        here = "private key on this PC" if key.on_this_pc else "NO private key on this PC"
        print(f"{key.fingerprint}  {state}  {key.source} {key.made_at:%Y-%m-%d} by "
              f"{key.made_by}  {here}\n    {key.subject}")
    return EXIT_OK


def _settings(args: argparse.Namespace) -> int:
    from app import settings

    archive = args.archive
    if args.name and args.value is not None:
        settings.put(archive, args.name, args.value)
    elif args.name:
        settings.get(archive, args.name)  # an unknown name is refused here
    for name, meaning in settings.PUBLIC.items():
        if args.name in (None, name):
            print(f"{name} = {settings.get(archive, name) or ''}    # {meaning}")
    return EXIT_OK


def _applicant(args: argparse.Namespace) -> str | None:
    """'name (relation), proof' from --applicant, --relation and --proof."""
    if not args.applicant:
        return None
    text = args.applicant
    if args.relation:
        text += f" ({args.relation})"
    if args.proof:
        text += f", {args.proof}"
    return text


def _users(args: argparse.Namespace) -> int:
    from app import auth

    if args.action == "add":
        if not args.name or not args.role:
            raise QueryError("toji users add NAME --role admin|clerk|desk")
        auth.create_user(args.archive, args.name, args.role, _new_password(args.name))
        print(f"user {args.name} ({args.role}) added")
    elif args.action == "unlock":
        auth.unlock(args.archive, args.name or "")
        print(f"user {args.name} unlocked")
    else:
        for name, role, locked in auth.users(args.archive):
            print(f"{name}  {role}{'  (locked)' if locked else ''}")
    return EXIT_OK


def _audit(args: argparse.Namespace) -> int:
    from app.audit_service import recent, verify

    if args.action == "verify":
        result = verify(args.archive, args.against)
        if result.ok:
            against = f"; nothing deleted since {args.against}" if args.against else ""
            print(f"audit log intact: {result.rows} row(s), every hash and link holds{against}")
            return EXIT_OK
        print(f"audit log BROKEN at row {result.broken_at}: {result.reason}")
        return EXIT_PARTIAL
    for entry in recent(args.archive, args.limit):
        print(f"{entry.id}  {entry.at:%Y-%m-%d %H:%M:%S}  {entry.actor}  {entry.action}  "
              f"{entry.subject}  {json.dumps(entry.detail, ensure_ascii=False)}")
    return EXIT_OK


def _backup(args: argparse.Namespace) -> int:
    from app.backup import backup

    manifest = backup(args.archive, args.dest)
    signed = "signed with this PC's key" if "signature" in manifest else \
        "unsigned: this PC holds no signing key"
    print(f"backup in {args.dest}: the database and {len(manifest['scans'])} scan(s), "
          f"manifest.json with their SHA-256 and the audit log's head ({signed})")
    return EXIT_OK


def _restore(args: argparse.Namespace) -> int:
    from app.backup import restore

    restore(args.source, Path(args.db))
    print(f"restored {args.source} as {args.db}; every hash checked")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from app.backup import check

    problems = check(args.archive)
    for p in problems:
        print(f"PROBLEM  {p.what}: {p.detail}")
    print("archive healthy: database, every scan and the audit chain check out"
          if not problems else f"{len(problems)} problem(s)", file=sys.stderr)
    return EXIT_PARTIAL if problems else EXIT_OK


def _gui(args: argparse.Namespace) -> int:
    """The desktop application (ui/), or one view of it as a PNG."""
    from ui.app import default_archive, run, screenshot

    args.db = args.db or default_archive()
    archive = _open(args.db)
    if not args.screenshot and not os.environ.get("DISPLAY") and not os.environ.get(
            "WAYLAND_DISPLAY") and sys.platform.startswith("linux") and \
            os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        raise QueryError("no display to open the window on (DISPLAY is not set); "
                         "use --screenshot PATH to render a view offscreen")
    if args.screenshot:
        path = screenshot(archive, args.db, args.view, args.screenshot, args.lang)
        print(f"{args.view} view -> {path}")
        return EXIT_OK
    return run(archive, args.db, args.lang)


def _demo(args: argparse.Namespace) -> int:
    """The bundled samples through process → search → certificate → verify."""
    from app.demo import demo_folder, run_demo

    return run_demo(main, demo_folder(args.folder))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="toji", description="Toji: old Korean land registers to searchable records")
    parser.add_argument("--user", help="sign in as this user (default TOJI_USER); the "
                                       "password comes from TOJI_PASSWORD or a prompt")
    verbs = parser.add_subparsers(dest="verb", required=True)

    p = verbs.add_parser("samples", help="render labelled synthetic register pages")
    p.add_argument("--count", type=int, default=8)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--form", choices=["land", "forest", "mixed"], default="mixed")
    p.add_argument("--degrade", choices=["none", "light", "heavy", "mixed"], default="mixed")
    p.add_argument("--layout", choices=LAYOUT_CHOICES, default=None,
                   help="draw printings of a layout family (or a mix of all), each page's "
                        "geometry randomised and scanned at 200-400 dpi; default: today's "
                        "land and forest forms at 300 dpi")
    p.set_defaults(run=_samples)

    p = verbs.add_parser("process", help="read scans into the archive (a resumable job)")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="scan files (PNG, JPEG, TIFF, BMP, PDF), folders of them "
                        "(recursively) or list files (.txt/.lst, one path a line)")
    p.add_argument("--db", required=True, help="archive file (SQLite) or database URL")
    p.add_argument("--engine", help="OCR engine (default rapidocr, with the archive's "
                                     "recogniser in use: 'toji models list')")
    p.add_argument("--reread", action="store_true",
                   help="read the archive's stored pages again (with --model): the old "
                        "readings are kept, clerk-confirmed values are never overwritten")
    p.add_argument("--model", help="with --reread: the archive's model to read with "
                                   "(default: the one in use; 'default': the shipped one)")
    p.add_argument("--only-review", action="store_true",
                   help="with --reread: only pages with something to review")
    p.add_argument("--workers", type=int, default=0,
                   help="worker processes, each loading the models once (default: read "
                        "in this process)")
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="a Dask scheduler (tcp://host:8786) to read the pages on")
    p.add_argument("--resume", action="store_true",
                   help="continue the last job that did not finish (or --job N)")
    p.add_argument("--retry", action="store_true", help="queue a job's failed items again "
                                                         "and run them (with --job N)")
    p.add_argument("--job", type=int, help="the job to resume or retry")
    p.add_argument("--item", type=int, help="with --retry: only this failed item (a page "
                                            "or a file; ids are in the failure report)")
    p.add_argument("--watch", type=Path, metavar="DIR",
                   help="process what a scanner drops into DIR until stopped")
    p.add_argument("--interval", type=float, default=5.0,
                   help="seconds between looks at the watched folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_process)

    p = verbs.add_parser("search", help="find parcels by owner, place or lot, or lines by text")
    p.add_argument("text", nargs="?", help="text the page's lines contain")
    p.add_argument("--db", required=True, help="archive file (SQLite) or database URL")
    p.add_argument("--name", help="owner's name, hanja or hangul, whole or partial")
    p.add_argument("--place", help="道 郡 面 里 (colonial hanja, or hangul, today's names too)")
    p.add_argument("--lot", help="lot number: 123, 123-4 or 百二十三番ノ四")
    p.add_argument("--category", help="land category as written (畓, 田, 垈 …)")
    p.add_argument("--from", dest="date_from", help="owner rows dated from YYYY[-MM[-DD]]")
    p.add_argument("--to", dest="date_to", help="owner rows dated up to YYYY[-MM[-DD]]")
    p.add_argument("--desk", action="store_true",
                   help="조상땅 찾기: parcels where the person is the final owner")
    p.add_argument("--applicant", help="who asked: the applicant's name (audit-logged)")
    p.add_argument("--relation", help="the applicant's relation to the owner (손자, 자녀 …)")
    p.add_argument("--proof", help="the proof shown (제적등본, 가족관계증명서 …)")
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--json", action="store_true", help="one JSON object per hit")
    p.set_defaults(run=_search)

    p = verbs.add_parser("export", help="write the archive out: JSON lines, CSV, XLSX, "
                                        "PAGE-XML, searchable PDFs, a PaddleOCR training set")
    p.add_argument("--db", required=True, help="archive file (SQLite) or database URL")
    p.add_argument("--format", choices=FORMATS, default="jsonl",
                   help="jsonl, csv (UTF-8 with BOM), xlsx; folders: page-xml, pdf, paddle")
    p.add_argument("--out", type=Path,
                   help="file or folder to write (jsonl and csv: standard output if omitted)")
    p.set_defaults(run=_export)

    p = verbs.add_parser("correct", help="store a clerk's value for a field (a new version)")
    p.add_argument("--db", required=True)
    p.add_argument("--parcel", required=True, help=PARCEL_HELP)
    p.add_argument("--field", required=True, help="field path: lot, area, owners[1].name …")
    p.add_argument("--value", required=True, help="the value as written on the card (hanja)")
    p.set_defaults(run=_correct)

    p = verbs.add_parser("link", help="link the Korean name of an owner written under a 創氏 name")
    p.add_argument("--db", required=True)
    p.add_argument("--parcel", required=True, help=PARCEL_HELP)
    p.add_argument("--owner", type=int, required=True, help="owner row, 1 for the first")
    p.add_argument("--korean-name", required=True, help="the Korean name, hanja or hangul")
    p.set_defaults(run=_link)

    p = verbs.add_parser("history", help="every version of a parcel's corrected fields")
    p.add_argument("--db", required=True)
    p.add_argument("--parcel", required=True, help=PARCEL_HELP)
    p.add_argument("--field", help="one field path (default: every corrected field)")
    p.set_defaults(run=_history)

    p = verbs.add_parser("forms", help="the forms pages are read by: list them, or learn one "
                                       "from a page read by its labels")
    p.add_argument("action", choices=["list", "learn"], nargs="?", default="list")
    p.add_argument("page", nargs="?", help="learn: the page, by id or FILE[:N] (a scan in "
                                           "the archive and its page number, 1 if omitted)")
    p.add_argument("--name", help="learn: the new form's name (up to 64 characters)")
    p.add_argument("--engine", help="learn: OCR engine (default: the one the page was read by)")
    p.add_argument("--db", required=True, help="archive file (SQLite) or database URL")
    p.add_argument("--json", action="store_true", help="one JSON object per form")
    p.set_defaults(run=_forms)

    p = verbs.add_parser("train", help="fine-tune the recogniser on the lines clerks "
                                       "confirmed (needs toji[train]: PyTorch, onnx)")
    p.add_argument("--db", required=True, help="archive file (SQLite)")
    p.add_argument("--out", help="the new model's name (default: m + date and time)")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--with-samples", type=int, default=0, metavar="N",
                   help="add N generated lines for characters with too few examples")
    p.add_argument("--json", action="store_true", help="the model's metrics as JSON")
    p.set_defaults(run=_train)

    p = verbs.add_parser("models", help="the archive's recognisers: list, or choose the one "
                                        "pages are read with")
    p.add_argument("action", choices=["list", "use"], nargs="?", default="list")
    p.add_argument("name", nargs="?", help="use: a model's name, or 'default' (the shipped one)")
    p.add_argument("--db", required=True, help="archive file (SQLite)")
    p.add_argument("--json", action="store_true", help="one JSON object per model")
    p.set_defaults(run=_models)

    p = verbs.add_parser("certificate", help="write a parcel's record extract as a signed PDF")
    p.add_argument("--db", required=True, help="archive file (SQLite) or database URL")
    p.add_argument("--parcel", required=True, help=PARCEL_HELP)
    p.add_argument("-o", "--out", type=Path, required=True, help="the PDF to write")
    p.add_argument("--applicant", help="for whom (printed and audit-logged)")
    p.add_argument("--relation", help="the applicant's relation to the owner")
    p.add_argument("--proof", help="the proof shown")
    p.add_argument("--final-owner-only", action="store_true",
                   help="show only the final owner, not the whole chain")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_certificate)

    p = verbs.add_parser("verify", help="check a certificate PDF (its signature; with --db "
                                        "also the archive's register), or a code")
    p.add_argument("target", help="certificate PDF, code XXXX-XXXX-XXXX or the QR's text")
    p.add_argument("--db", help="the issuing archive (SQLite file or database URL); without "
                                "it a PDF's signature is checked alone")
    p.add_argument("--trust", type=Path, action="append", default=[], metavar="CERT",
                   help="a certificate (PEM/DER) to trust as the signer or its issuer, e.g. "
                        "the one the office publishes (repeatable)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_verify)

    p = verbs.add_parser("settings", help="show or set the archive's settings (office, font)")
    p.add_argument("name", nargs="?")
    p.add_argument("value", nargs="?")
    p.add_argument("--db", required=True, help="archive file (SQLite) or database URL")
    p.set_defaults(run=_settings)

    p = verbs.add_parser("users", help="the archive's users: list, add, unlock (admins)")
    p.add_argument("action", choices=["list", "add", "unlock"], nargs="?", default="list")
    p.add_argument("name", nargs="?")
    p.add_argument("--role", choices=["admin", "clerk", "desk"])
    p.add_argument("--db", required=True, help="archive file (SQLite) or database URL")
    p.set_defaults(run=_users)

    p = verbs.add_parser("keys", help="the keys certificates are signed with: list, new "
                                      "(rotate), import a .p12, export the certificate, "
                                      "store (this PC's: file or keyring)")
    p.add_argument("action", choices=["list", "new", "import", "export", "store"], nargs="?",
                   default="list")
    p.add_argument("file", nargs="?", help="import: the .p12/.pfx; export: a fingerprint's "
                                           "start (default: the key in use); store: file or "
                                           "keyring")
    p.add_argument("--password-env", metavar="VAR",
                   help="import: the environment variable holding the .p12's password "
                        "(else it is asked for)")
    p.add_argument("--db", help="archive file (SQLite) or database URL (all but store)")
    p.set_defaults(run=_keys)

    p = verbs.add_parser("audit", help="the audit log: recent entries, or verify its chain")
    p.add_argument("action", choices=["list", "verify"], nargs="?", default="list")
    p.add_argument("--against", type=Path, metavar="BACKUP_OR_CERT",
                   help="verify: also check that no row was deleted since this backup "
                        "(folder or manifest.json) or certificate PDF recorded the log's head")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--db", required=True, help="archive file (SQLite) or database URL")
    p.set_defaults(run=_audit)

    p = verbs.add_parser("backup", help="copy the archive (database and scans) into DEST")
    p.add_argument("dest", type=Path)
    p.add_argument("--db", required=True, help="archive file (SQLite)")
    p.set_defaults(run=_backup)

    p = verbs.add_parser("restore", help="restore a backup folder as a new archive file")
    p.add_argument("source", type=Path)
    p.add_argument("--db", required=True, help="the archive file to create")
    p.set_defaults(run=_restore)

    p = verbs.add_parser("check", help="database integrity, every scan's hash, the audit chain")
    p.add_argument("--db", required=True, help="archive file (SQLite) or database URL")
    p.set_defaults(run=_check)

    p = verbs.add_parser("gui", help="the desktop application (Korean first)")
    p.add_argument("--db", help="archive file (SQLite) or database URL (default: the one "
                                "chosen in the settings tab, else Toji/toji.db in the user's "
                                "documents folder)")
    p.add_argument("--screenshot", type=Path, metavar="PATH",
                   help="render one view offscreen at 1366x768 into PATH (PNG) and exit")
    p.add_argument("--view", choices=["batch", "review", "search", "certificate", "settings"],
                   default="search")
    p.add_argument("--lang", choices=["ko", "en"], default="ko")
    p.set_defaults(run=_gui)

    p = verbs.add_parser("demo", help="run the bundled sample pages through process, search, "
                                      "certificate and verify, in a folder of the user's")
    p.add_argument("--folder", help="where to write (default: demo in the user's data folder; "
                                    "emptied first)")
    p.set_defaults(run=_demo)

    p = verbs.add_parser("read", help="read hanja as Korean: the reading alone on the first line")
    p.add_argument("text")
    p.add_argument("--as", dest="kind", default="free",
                   choices=["name", "place", "date", "area", "lot", "category", "event", "free"])
    p.set_defaults(run=_read)
    return parser


OPEN_VERBS = {"samples", "read", "restore", "gui", "demo"}  # no sign-in here (gui, demo: their own)
# without --db: verify checks a PDF's signature alone; keys store is this PC's choice
ARCHIVE_OPTIONAL = {"verify", "keys"}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.verb in OPEN_VERBS or (args.verb in ARCHIVE_OPTIONAL and not args.db):
            args.archive = None
            return args.run(args)
        if not args.db:
            raise QueryError(f"toji {args.verb} needs --db (the archive)")
        args.archive = _open(args.db)
        with acting_as(_sign_in(args.archive, args.user)):
            return args.run(args)
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (ArchiveError, EngineUnavailableError, QueryError, FontMissingError,
            CertificateError, SettingError, ScanError, BatchError, AuthError,
            PermissionDenied, BackupError, ModelError, SigningKeyError, OSError) as exc:
        print(f"toji: {exc}", file=sys.stderr)
        return EXIT_FATAL


if __name__ == "__main__":
    sys.exit(main())
