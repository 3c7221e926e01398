"""The ``arkit`` command: ``sample``, ``load``, ``aging``, ``kpis``, ``report``, ``statements``, ``risk``,
``worklist``, ``reconcile``, ``cashapp``, ``credits``, ``dashboard``.

Errors in the input print one line (``arkit: error: ...``) and exit 1; no traceback reaches
the user unless ``ARKIT_DEBUG=1`` is set.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from arkit import progress
from arkit.aging import DEFAULT_BUCKETS, aging_summary
from arkit.config import SAMPLES_DIR, TRIAGE_NOTEBOOK
from arkit.errors import ArkitError
from arkit.rendering.safety import protect_formulas
from arkit.ledger import Ledger
from arkit.loaders import LoadResult, load, preset_names, read_source_file, suggest_mapping
from arkit.loaders.sql import is_database_url
from arkit.rendering.text import printable

__all__ = ["main", "build_parser"]


def _buckets(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"bucket edges are whole days separated by commas, e.g. 30,60,90; got {text!r}")


def _source_options(parser: argparse.ArgumentParser) -> None:
    """The loader options every command that reads a SOURCE accepts."""
    group = parser.add_argument_group("reading the source")
    which = group.add_mutually_exclusive_group()
    which.add_argument("--mapping", type=Path, help="mapping file (YAML or JSON): source column -> canonical column")
    which.add_argument("--preset", help=f"a shipped mapping: {', '.join(preset_names())}")
    group.add_argument("--date-format", help="strptime format of the dates, e.g. %%d/%%m/%%Y, or excel, jde_julian")
    group.add_argument("--decimal", choices=(".", ","), help="decimal separator of the amounts")
    group.add_argument("--sheet", help="Excel sheet to read (default: the first holding a table)")
    group.add_argument("--currency", help="currency of rows that carry none (default: the mapping's, else USD)")
    group.add_argument("--table", dest="sql_table", help="database table to read (SOURCE is a database URL)")
    group.add_argument("--query", dest="sql_query", help="SQL query to read (SOURCE is a database URL)")


def _table_output(parser: argparse.ArgumentParser) -> None:
    """The options of every command that prints a table."""
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument("-o", "--output", type=Path, help="write to this file instead of the screen")


def _model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--grace", type=int, default=0, help="days after the due date still on time (default 0)")
    parser.add_argument("--extra", help="further item or customer column(s) to use as features, comma-separated "
                                         "(besides those the mapping declares under features)")
    parser.add_argument("--method", choices=("auto", "gbm", "logistic"), default="auto",
                        help="gradient-boosted trees, logistic regression, or (default) the better of the two or a "
                             "blend, chosen over three time folds of the training invoices")


def _columns(text: str | None) -> list[str] | None:
    """``--by a,b`` as a list of column names; None for the whole portfolio."""
    return [part.strip() for part in (text or "").split(",") if part.strip()] or None


def _load(args, customer: str | None = None) -> LoadResult:
    result = load(args.source, mapping=args.mapping, preset=args.preset, date_format=args.date_format,
                  decimal=args.decimal, sheet=args.sheet, currency=args.currency, table=args.sql_table,
                  query=args.sql_query, customer=customer)
    if result.report.rows_rejected and args.command != "load":
        _tell(f"arkit: warning: {result.report.rows_rejected} row(s) rejected "
              f"(amount {result.report.amount_rejected:,.2f}); `arkit load` lists them"
              + (f"; the {len(result.duplicates)} repeat(s) among them are duplicate lines"
                 if args.command == "reconcile" and len(result.duplicates) else ""))
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="arkit", description="Accounts-receivable analytics.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    source_help = "file, folder or database URL to read (see README: Loading)"

    sample = commands.add_parser("sample", help="write the seeded sample portfolio as canonical CSVs")
    sample.add_argument("--out", required=True, type=Path, help="folder to write (created if missing)")
    sample.add_argument("--seed", type=int, default=7, help="random seed (default 7, the committed sample)")

    load_ = commands.add_parser("load", help="load a source and print the load report")
    load_.add_argument("source", help=source_help)
    _source_options(load_)
    load_.add_argument("--json", action="store_true", help="print the report as JSON")
    load_.add_argument("--rejects", type=Path, help="write every rejected row to this CSV")
    load_.add_argument("--suggest-mapping", action="store_true",
                       help="print a mapping proposed from the headers (save it, edit it, pass it with --mapping)")

    aging = commands.add_parser("aging", help="aging summary of a ledger by any column")
    aging.add_argument("source", help=source_help)
    _source_options(aging)
    aging.add_argument("--as-of", help="aging date YYYY-MM-DD (default: the latest date in the data)")
    aging.add_argument("--by", default="customer_id", help="column(s) to group by, comma-separated (default customer_id)")
    aging.add_argument("--basis", choices=("due", "document"), default="due", help="age from due date or document date")
    aging.add_argument("--buckets", type=_buckets, default=DEFAULT_BUCKETS, help="bucket edges in days (default 30,60,90,120)")
    aging.add_argument("--reporting-currency", help="convert to this currency with the ledger's fx_rates "
                                                    "(default: amounts stay in document currency)")
    _table_output(aging)

    kpis = commands.add_parser("kpis", help="collection KPIs per month: DSO, countback DSO, best possible DSO, ADD, CEI, ...")
    kpis.add_argument("source", help=source_help)
    _source_options(kpis)
    kpis.add_argument("--as-of", help="last period end YYYY-MM-DD (default: the latest date in the data)")
    kpis.add_argument("--months", type=int, default=12, help="number of monthly periods (default 12)")
    kpis.add_argument("--by", help="column(s) to group by, comma-separated (default: the whole portfolio)")
    kpis.add_argument("--total", action="store_true",
                      help="one row for the whole window of --months (e.g. a quarter: --months 3 --total)")
    kpis.add_argument("--reporting-currency", help="currency of the amounts (default: the ledger's, through fx_rates)")
    _table_output(kpis)

    report = commands.add_parser("report", help="write the daily report pack as a formatted workbook")
    report.add_argument("source", help=source_help)
    _source_options(report)
    report.add_argument("--as-of", help="report date YYYY-MM-DD (default: the latest date in the data)")
    report.add_argument("--reporting-currency", help="currency of the amounts (default: the ledger's)")
    report.add_argument("-o", "--output", type=Path, required=True, help="the .xlsx file to write")

    statements = commands.add_parser("statements", help="write customer statements of account")
    statements.add_argument("source", help=source_help)
    _source_options(statements)
    statements.add_argument("--as-of", help="statement date YYYY-MM-DD (default: the latest date in the data)")
    statements.add_argument("--out", type=Path, required=True, help="folder to write the statements into")
    statements.add_argument("--customer", action="append", help="customer id (repeat for several; default: all "
                            "with open items or recent activity)")
    statements.add_argument("--formats", default="xlsx,html", help="comma-separated: xlsx, html, pdf (default xlsx,html)")

    risk = commands.add_parser("risk", help="delinquency-risk model: backtest, train, score")
    risk_commands = risk.add_subparsers(dest="risk_command", required=True, metavar="RISK_COMMAND")
    backtest = risk_commands.add_parser("backtest", help="train before a date, test after it, beside two baselines")
    backtest.add_argument("source", help=source_help)
    _source_options(backtest)
    backtest.add_argument("--split-date", required=True, help="first day of the test period, YYYY-MM-DD")
    _model_options(backtest)
    backtest.add_argument("--json", action="store_true", help="print the metrics as JSON")
    train = risk_commands.add_parser("train", help="fit the model on a ledger's history and save it (skops)")
    train.add_argument("source", help=source_help)
    _source_options(train)
    train.add_argument("--before", help="train on outcomes known before this day (default: all of the history)")
    _model_options(train)
    train.add_argument("-o", "--output", type=Path, required=True, help="the .skops file to write (its card beside it)")
    score = risk_commands.add_parser("score", help="P(paid late) of each open invoice, with its top drivers")
    score.add_argument("source", help=source_help)
    _source_options(score)
    score.add_argument("--model", type=Path, required=True, help="a model saved by `arkit risk train`")
    score.add_argument("--as-of", help="score the invoices open at the end of this day (default: the latest date)")
    _table_output(score)

    work = commands.add_parser("worklist", help="accounts to work today, most at stake first, with the next action")
    work.add_argument("source", help=source_help)
    _source_options(work)
    work.add_argument("--as-of", help="worklist date YYYY-MM-DD (default: the latest date in the data)")
    work.add_argument("--model", type=Path, help="a model saved by `arkit risk train`: adds the expected amount at "
                                                 "risk of invoices not yet due (without it: the past-due amount)")
    work.add_argument("--everyone", action="store_true", help="list accounts with nothing to do as well")
    work.add_argument("--reporting-currency", help="currency of the amounts (default: the ledger's)")
    _table_output(work)

    rec = commands.add_parser("reconcile", help="match two ledgers line by line and explain every difference")
    rec.add_argument("source", metavar="LEFT", help="the first ledger (ours, the AR subledger, last month's snapshot)")
    rec.add_argument("right", help="the second (the customer's statement, the GL, this month's snapshot)")
    _source_options(rec)
    right = rec.add_argument_group("reading RIGHT when its layout differs from LEFT's")
    which = right.add_mutually_exclusive_group()
    which.add_argument("--right-mapping", type=Path, help="mapping file for RIGHT")
    which.add_argument("--right-preset", help="shipped mapping for RIGHT")
    rec.add_argument("--key", default="document_id", help="column to pair lines on (default document_id; "
                                                         "customer_id compares balances per customer)")
    rec.add_argument("--amount", default="amount", help="money column to compare (default amount; open_amount "
                                                        "for snapshots)")
    rec.add_argument("--tolerance", type=float, default=0.0, help="amounts this close match (default 0.00)")
    rec.add_argument("--relative-tolerance", type=float, default=0.0, help="or this share of the amount (e.g. 0.001)")
    rec.add_argument("--date-window", type=int, default=0, help="document dates this many days apart match (default 0)")
    rec.add_argument("--no-dates", action="store_true", help="compare no dates")
    rec.add_argument("--customer", help="only this customer's lines; a file without a customer column (a "
                                        "customer's statement) is this customer's")
    rec.add_argument("--labels", default="left,right", help="names of the two sides in the output (default left,right)")
    rec.add_argument("--format", choices=("table", "csv", "json", "xlsx"), default="table")
    rec.add_argument("-o", "--output", type=Path, help="write to this file instead of the screen (required for xlsx)")

    cash = commands.add_parser("cashapp", help="apply payments to open invoices, with the rule and confidence of each")
    cash.add_argument("payments", help="payments file: the canonical layout, a bank CSV through --payments-mapping, "
                                       "CAMT.053 XML or BAI2")
    cash.add_argument("source", metavar="LEDGER", help=source_help)
    _source_options(cash)
    cash.add_argument("--payments-mapping", type=Path, help="mapping file for a bank CSV (bank column -> payments column)")
    cash.add_argument("--as-of", help="apply to the items open at the end of this day (default: the latest date)")
    cash.add_argument("--tolerance", type=float, default=25.0, help="short or over payments by up to this amount "
                                                                    "and --relative-tolerance still match (default 25.00)")
    cash.add_argument("--relative-tolerance", type=float, default=0.02, help="default 0.02 (2%%)")
    cash.add_argument("--auto-threshold", type=float, default=0.9, help="confidence from which a match is applied "
                                                                        "(default 0.9); below it, a suggestion")
    cash.add_argument("--json", action="store_true", help="print the summary as JSON")
    cash.add_argument("-o", "--output", type=Path, help="write one row per allocation (CSV) to this file")
    cash.add_argument("--payments-out", type=Path, help="write one row per payment with its outcome (CSV)")

    credits = commands.add_parser("credits", help="open credits (credit memos, unapplied cash) that can clear "
                                                  "open invoices of the same customer")
    credits.add_argument("source", help=source_help)
    _source_options(credits)
    credits.add_argument("--as-of", help="date YYYY-MM-DD (default: the latest date in the data)")
    _table_output(credits)

    dashboard = commands.add_parser("dashboard", help="serve the portfolio triage dashboard through Voila")
    dashboard.add_argument("source", nargs="?", default=str(SAMPLES_DIR), help="ledger to show (default: the sample)")
    _source_options(dashboard)
    dashboard.add_argument("--port", type=int, default=8866)
    dashboard.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    for command in [*commands.choices.values(), *risk_commands.choices.values()]:
        if command is not risk:
            command.add_argument("--no-progress", action="store_true",
                                 help="no progress bar on stderr (shown only when stderr is a terminal)")
    return parser


def _tell(message: str, stream=None) -> None:
    """Print a message for people (stderr by default), ledger text in it escaped (see arkit.rendering.text)."""
    progress.write(printable(message, newlines=True) + "\n", stream)


def _iso_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its datetime columns written YYYY-MM-DD."""
    dates = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]
    return frame.assign(**{c: frame[c].dt.strftime("%Y-%m-%d") for c in dates})


def _render(frame: pd.DataFrame, fmt: str) -> str:
    """``frame`` as csv, json or an aligned table; amounts with 2 decimals, probabilities (``p_*``) with 4."""
    shares = [c for c in frame.columns if c.startswith("p_") and pd.api.types.is_float_dtype(frame[c])]
    if fmt != "json":
        frame = frame.assign(**{c: frame[c].map("{:.4f}".format) for c in shares})
    if fmt == "csv":
        return protect_formulas(frame).to_csv(index=False, lineterminator="\n", float_format="%.2f")
    if fmt == "json":
        return frame.to_json(orient="records", double_precision=2, indent=1) + "\n"
    # Ledger text is shown, never obeyed by the terminal: cells and names escaped (arkit.rendering.text).
    frame = frame.rename(columns=lambda c: printable(c) if isinstance(c, str) else c)
    texts = [c for c in frame.columns if not (pd.api.types.is_numeric_dtype(frame[c])
                                              or pd.api.types.is_datetime64_any_dtype(frame[c]))]
    frame = frame.assign(**{c: frame[c].map(lambda v: printable(v) if isinstance(v, str) else v) for c in texts})
    money = {c: "{:,.2f}".format for c in frame.columns if pd.api.types.is_float_dtype(frame[c])}
    return frame.to_string(index=False, formatters=money) + "\n"


def _load_command(args) -> int:
    if args.suggest_mapping:
        if is_database_url(args.source):
            raise ArkitError("--suggest-mapping reads the headers of a file; for a database, name the columns in "
                             "--query (SELECT invoice_no AS document_id, ...)")
        raw = read_source_file(args.source, sheet=args.sheet)
        suggestion = suggest_mapping(raw.frame)
        _tell(f"arkit: {suggestion.why}")
        proposed = suggestion.to_yaml()
        # Saved to a file it must stay exact YAML; on a screen, header text is shown, not obeyed.
        progress.write(printable(proposed, newlines=True) if sys.stdout.isatty() else proposed, sys.stdout)
        return 0
    report = _load(args).report
    if args.rejects:
        rejects = report.rejects.assign(values=report.rejects["values"].map(json.dumps))
        protect_formulas(rejects).to_csv(args.rejects, index=False, lineterminator="\n")
        _tell(f"wrote {len(rejects)} rejected rows to {args.rejects}")
    if args.json:
        progress.write(json.dumps(report.to_dict(), indent=1, default=str) + "\n", sys.stdout)
    else:
        _tell(str(report), sys.stdout)
    return 0


def _aging(args) -> int:
    ledger = _load(args).ledger
    by = _columns(args.by)
    summary = aging_summary(ledger, args.as_of, by, basis=args.basis, buckets=args.buckets,
                            currency=args.reporting_currency)
    return _write(_iso_dates(summary), args)


def _write(frame: pd.DataFrame, args) -> int:
    text = _render(frame, args.format)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        _tell(f"wrote {len(frame)} rows to {args.output}")
    else:
        progress.write(text, sys.stdout)
    return 0


def _kpis(args) -> int:
    from arkit._kpis import kpis, period_kpis

    by = _columns(args.by)
    table = (period_kpis if args.total else kpis)(_load(args).ledger, args.as_of, args.months, by,
                                                   currency=args.reporting_currency)
    periods = [c for c in ("period_start", "period_end") if c in table]
    table = _iso_dates(table.assign(**{c: pd.to_datetime(table[c]) for c in periods}))  # and date keys of --by
    return _write(table.round({c: 2 for c in table.columns if pd.api.types.is_float_dtype(table[c])}), args)


def _report(args) -> int:
    from arkit._report_pack import report_pack, write_report_workbook

    pack = report_pack(_load(args).ledger, args.as_of, currency=args.reporting_currency)
    write_report_workbook(pack, args.output)
    _tell(f"wrote {len(pack)} sheets to {args.output}")
    return 0


def _statements(args) -> int:
    from arkit.statements import write_statements

    formats = tuple(part.strip() for part in args.formats.split(",") if part.strip())
    paths = write_statements(_load(args).ledger, args.out, args.as_of, customers=args.customer, formats=formats)
    _tell(f"wrote {len(paths)} statement files to {args.out}")
    return 0


def _risk(args) -> int:
    from arkit.risk import DelinquencyModel, backtest

    ledger = _load(args).ledger
    if args.risk_command == "backtest":
        result = backtest(ledger, args.split_date, args.grace, method=args.method, extra=_columns(args.extra) or ())
        if args.json:
            progress.write(json.dumps(result.to_dict(), indent=1) + "\n", sys.stdout)
            return 0
        names = {"model": result.metrics, "invoice fields alone": result.baselines["invoice_fields"],
                 "late-share rule": result.baselines["late_share_rule"]}
        table = pd.DataFrame(names).T.round(3)
        _tell(f"trained on {result.n_train:,} invoices dated before {result.split_date} "
              f"({result.late_rate_train:.1%} late), tested on {result.n_test:,} ({result.late_rate_test:.1%} late)\n"
              f"model: {_chosen(result.model.card_)}\n" + table.to_string(), sys.stdout)
        return 0
    if args.risk_command == "train":
        model = DelinquencyModel(method=args.method, grace=args.grace).fit_ledger(
            ledger, args.before, extra=_columns(args.extra) or ())
        model.save(args.output)
        _tell(f"wrote {args.output} (trained on {model.card_['n_train']:,} invoices dated "
              f"{model.card_['trained_on']}; {_chosen(model.card_)}; card: {args.output.stem}.card.json)")
        return 0
    model = DelinquencyModel.load(args.model)
    scored = model.predict_ledger(ledger, args.as_of, drivers=2)
    scored = scored.sort_values(["p_late", "document_id"], ascending=[False, True], ignore_index=True)
    scored = _iso_dates(scored).assign(p_late=scored["p_late"].round(4))
    scored = scored.rename(columns={"late": "already_late"}).fillna({"already_late": False})
    return _write(scored, args)


def _chosen(card: dict) -> str:
    """Which model a card records, and the validation figures that chose it, in words."""
    names = {"gbm": "gradient-boosted trees", "logistic": "logistic regression"}
    weights = card["weights"]
    what = names[card["chosen"]] if len(weights) == 1 else " + ".join(
        f"{weight:.1f} x {names[kind]}" for kind, weight in weights.items())
    validation = card.get("validation", {})
    if "gbm" not in validation:
        return what + (f" ({validation['note']})" if "note" in validation else "")
    scores = ", ".join(f"{label} {validation[key]['roc_auc']:.3f}" for key, label in
                       (("gbm", "trees"), ("logistic", "logistic"), ("chosen", "blend"))
                       if "roc_auc" in validation[key] and (key != "chosen" or len(weights) > 1))
    return (f"{what}, chosen over {len(validation['folds'])} time folds of the latest {validation['n_validate']:,} "
            f"training invoices (mean ROC AUC there: {scores})")


def _worklist(args) -> int:
    from arkit.risk import DelinquencyModel
    from arkit._worklist import worklist

    model = DelinquencyModel.load(args.model) if args.model else None  # a bad file fails before the load
    ledger = _load(args).ledger
    scores = model.predict_ledger(ledger, args.as_of) if model else None
    table = worklist(ledger, args.as_of, scores=scores, currency=args.reporting_currency, everyone=args.everyone)
    return _write(table, args)


def _reconcile(args) -> int:
    from arkit._reconcile import reconcile
    from arkit._report_pack import write_report_workbook

    labels = tuple(part.strip() for part in args.labels.split(","))
    left = _load(args, customer=args.customer)
    right_args = argparse.Namespace(**vars(args))
    right_args.source = args.right
    if args.right_mapping or args.right_preset:
        right_args.mapping, right_args.preset = args.right_mapping, args.right_preset
    right = _load(right_args, customer=args.customer)
    sides = [left, right]  # load results: the rows set aside as repeats are reconciled as duplicates
    if args.customer:
        sides = [_one_customer(side, args.customer) for side in sides]
        empty = [name for name, side in zip((args.source, args.right), sides) if not len(side.ledger.items)]
        if empty:
            raise ArkitError(f"customer {args.customer!r} has no lines in {' and '.join(empty)}")
    result = reconcile(*sides, key=args.key, amount=args.amount, date=None if args.no_dates else "doc_date",
                       tolerance=args.tolerance, relative_tolerance=args.relative_tolerance,
                       date_window=args.date_window, labels=labels)
    counts = ", ".join(f"{n:,} {status}" for status, n in result.counts.items() if n)
    _tell(f"{len(result.lines):,} lines: {counts}")
    lines = _iso_dates(result.lines.assign(status=result.lines["status"].astype(str)))
    if args.format == "xlsx":
        if not args.output:
            raise ArkitError("--format xlsx writes a workbook: give its path with -o FILE.xlsx")
        write_report_workbook({"Lines": lines, "By customer": result.summary}, args.output,
                              title=f"Reconciliation: {args.source} against {args.right}")
        _tell(f"wrote {len(lines)} lines and {len(result.summary)} customers to {args.output}")
        return 0
    return _write(lines, args)


def _one_customer(result: LoadResult, customer: str) -> LoadResult:
    """A load result reduced to one customer's items and repeats."""
    items, copies = result.ledger.items, result.duplicates
    ledger = Ledger(items[items["customer_id"] == customer], currency=result.ledger.currency)
    return LoadResult(ledger, result.report, copies[copies["customer_id"] == customer] if len(copies) else copies)


def _cashapp(args) -> int:
    from arkit.loaders.bank import read_payments
    from arkit.cashapp import apply_cash

    payments = read_payments(args.payments, mapping=args.payments_mapping, date_format=args.date_format,
                             decimal=args.decimal)
    ledger = _load(args).ledger
    result = apply_cash(payments, ledger, as_of=args.as_of, tolerance=args.tolerance,
                        relative_tolerance=args.relative_tolerance, auto_threshold=args.auto_threshold)
    summary = result.summary()
    if args.output:
        matches = result.allocations.assign(amount=result.allocations["amount"].round(2))
        protect_formulas(matches).to_csv(args.output, index=False, lineterminator="\n", float_format="%.2f")
        _tell(f"wrote {len(matches)} allocations to {args.output}")
    if args.payments_out:
        outcome = _iso_dates(result.payments)
        protect_formulas(outcome).to_csv(args.payments_out, index=False, lineterminator="\n", float_format="%.2f")
        _tell(f"wrote {len(outcome)} payments to {args.payments_out}")
    if args.json:
        progress.write(json.dumps(summary, indent=1) + "\n", sys.stdout)
    else:
        _tell(f"{summary['payments']:,} payments: {summary['auto_applied']:,} applied automatically "
              f"({summary['amount_applied']:,.2f}), {summary['suggested']:,} with suggestions, "
              f"{summary['unapplied']:,} unapplied (customer known), {summary['unidentified']:,} unidentified; "
              f"{summary['amount_unapplied']:,.2f} not applied; deductions {summary['deductions']:,.2f}, "
              f"credits {summary['credits']:,.2f}", sys.stdout)
    return 0


def _credits(args) -> int:
    from arkit.cashapp import credit_offsets

    proposals = credit_offsets(_load(args).ledger, args.as_of)
    _tell(f"{len(proposals):,} proposals: {proposals['credit_id'].nunique():,} credits against "
          f"{proposals['document_id'].nunique():,} invoices, {proposals['amount'].sum():,.2f} in all")
    return _write(proposals, args)


def _sample(args) -> int:
    from arkit.sample import write_sample

    paths = write_sample(args.out, seed=args.seed)
    _tell(f"wrote {len(paths)} files to {args.out}")
    return 0


def voila_command(notebook: Path, host: str, port: int) -> list[str]:
    """The Voila command line that serves ``notebook``.

    Sources hidden, no tracebacks in the page, one kernel kept preheated (the notebook has
    already run when a browser asks, so the page opens at once), idle kernels culled.
    """
    return [
        sys.executable, "-m", "voila", str(notebook),
        f"--Voila.ip={host}", f"--port={port}", "--no-browser",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.preheat_kernel=True", "--VoilaConfiguration.default_pool_size=1",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_idle_timeout=1800",
    ]


def _dashboard(args) -> int:
    options = {"mapping": str(Path(args.mapping).resolve()) if args.mapping else None, "preset": args.preset,
               "date_format": args.date_format, "decimal": args.decimal, "sheet": args.sheet,
               "currency": args.currency, "table": args.sql_table, "query": args.sql_query}
    options = {k: v for k, v in options.items() if v is not None}
    source = args.source if is_database_url(args.source) else str(Path(args.source).resolve())
    ledger = _load(args).ledger  # fail here, in one line, rather than inside the page
    env = dict(os.environ, ARKIT_LEDGER=source, ARKIT_LOAD_OPTIONS=json.dumps(options))
    _tell(f"arkit: serving {ledger!r} on http://{args.host}:{args.port}/")
    return subprocess.call(voila_command(TRIAGE_NOTEBOOK, args.host, args.port), env=env)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"sample": _sample, "load": _load_command, "aging": _aging, "kpis": _kpis, "report": _report,
               "statements": _statements, "risk": _risk, "worklist": _worklist, "reconcile": _reconcile,
               "cashapp": _cashapp, "credits": _credits, "dashboard": _dashboard}[args.command]
    progress.disable(getattr(args, "no_progress", False))
    try:
        # One bar for the command, naming the stage reached; not while the dashboard serves.
        name = " ".join(filter(None, ["arkit", args.command, getattr(args, "risk_command", None)]))
        with progress.task(name) if args.command != "dashboard" else contextlib.nullcontext():
            return handler(args)
    except ArkitError as exc:
        _tell(f"arkit: error: {exc}")
        return 1
    except OSError as exc:  # a path the user gave: unwritable folder, missing file
        _tell(f"arkit: error: {exc.filename or ''}: {exc.strerror or exc}")
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug of ours, not the user's: one line, and how to see more
        if os.environ.get("ARKIT_DEBUG"):
            raise
        _tell(f"arkit: unexpected error: {type(exc).__name__}: {exc} (set ARKIT_DEBUG=1 for details)")
        return 2


if __name__ == "__main__":
    sys.exit(main())
