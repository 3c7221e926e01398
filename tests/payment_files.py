"""Payment files written independently of :mod:`arkit.sample`: another trade, another numbering,
another bank's habits, with the true allocation of every payment.

Used by ``tests/test_cashapp_independent.py`` (the targets on several seeds) and
``benchmarks/bench_cashapp.py`` (the same files at scale). Nothing here is read from arkit's
own generator or tuned on its matcher: document numbers are plain six- or seven-digit numbers,
customer account numbers are in the same range as invoice numbers, remittances are cut where
banks cut them, and names are written the way bank lines carry them.

:func:`payment_file` returns ``(items, customers, payments, truth)``: open invoices, the
customer master, bank lines (canonical payments layout plus ``case`` and ``remittance_style``)
and one row per true allocation (``payment_id``, ``document_id``, ``amount``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

AS_OF = pd.Timestamp("2026-10-31")
FIRST_PAYMENT_DAY = pd.Timestamp("2026-11-02")

_SURNAMES = ("Albrecht", "Baxter", "Castellano", "Dunmore", "Eriksen", "Fairweather", "Gallagher", "Haverford",
             "Ingram", "Jansen", "Kettering", "Lindqvist", "Marchetti", "Northcott", "Okafor", "Pemberton",
             "Quintero", "Radcliffe", "Sandoval", "Thackeray", "Underhill", "Vasquez", "Whitlock", "Yarborough",
             "Zielinski", "Ashworth", "Bellamy", "Crowther", "Delacroix", "Eastwood", "Fenwick", "Greaves",
             "Holloway", "Iverson", "Jardine", "Kowalczyk", "Lockhart", "Mabry", "Nakamura", "Oyelaran",
             "Pruett", "Rasmussen", "Stroud", "Tremblay", "Ulbrich", "Voss", "Winslow", "Xiong", "Yeager",
             "Zamora", "Abernathy", "Blackwood", "Coldwell", "Drummond", "Elsworth", "Farrow", "Gideon",
             "Hartigan", "Isley", "Jeffries", "Kincaid", "Langford", "Merriweather", "Norwood", "Oakley",
             "Prescott", "Rutherford", "Sinclair", "Tolliver", "Upshaw", "Vickers", "Wexford", "Yates", "Zeller")
_PLACES = ("Tri-County", "Lakeshore", "Pinecrest", "Redstone", "Bayview", "Summit", "Riverbend", "Copperfield",
           "Granite City", "Harborside", "Ironwood", "Juniper", "Kingsport", "Meadowbrook", "Northgate",
           "Oak Valley", "Prairie View", "Quarry Hill", "Silverton", "Timberline", "Union Point", "Westfield")
_LINKS = ("", "", "", "& Sons", "Brothers", "& Partners", "Group", "and Daughters", "International")
_TRADES = ("Industrial Supply", "Hydraulics", "Fasteners", "Packaging Solutions", "Electric", "Logistics",
           "Plastics", "Tool & Die", "Food Service", "Textiles", "Pump & Valve", "Steel Fabricators",
           "Office Products", "Building Materials", "Auto Parts", "Medical Supply", "Chemicals",
           "Printing", "Refrigeration", "Safety Equipment", "Welding Supply", "Bearings", "Paper Company",
           "Irrigation", "Lab Instruments", "Janitorial Supply", "Marine Hardware", "Signs & Displays")
_LEGAL = ("", " Inc", " Inc.", " LLC", " Ltd", " Limited", " Corp.", " Corporation", " Co.", " GmbH", " S.A.")
_ABBREVIATIONS = {"Industrial": "Ind", "Supply": "Sply", "Brothers": "Bros", "International": "Intl",
                  "Solutions": "Sol", "Logistics": "Log", "Equipment": "Eqpt", "Materials": "Matls",
                  "Corporation": "Corp", "Company": "Co", "Fabricators": "Fab", "Instruments": "Instr",
                  "Products": "Prod", "Service": "Svc", "and": "&", "&": "AND"}
_THIRD_PARTIES = ("FIRST CAPITAL FACTORING", "ORCHARD PAYMENT SVCS", "AMEX MERCHANT SETTLE", "PAYPAL TRANSFER",
                  "BILL.COM PAYABLES")
_STRANGERS = ("T NGUYEN", "PACIFIC RIM TRADING", "CASH DEPOSIT BRANCH 0412", "D OKONKWO", "MOUNTAIN STATES CU",
              "REFUND RETURN ITEM", "L FERREIRA", "UNKNOWN ORIGINATOR", "GLOBAL SOURCING HK", "S PATEL")
_NOTHING = ("", "PAYMENT", "ACH CREDIT", "WIRE TRANSFER", "SEE REMITTANCE ADVICE", "OCT PAYMENT", "THANK YOU",
            "REMITTANCE EMAILED", "CCD PMT")


def _names(rng, n: int) -> list[str]:
    combos = len(_SURNAMES) * (len(_PLACES) + len(_LINKS)) * len(_TRADES) * len(_LEGAL)
    picks = rng.choice(combos, size=n, replace=False)
    out = []
    for pick in picks.tolist():
        pick, legal = divmod(pick, len(_LEGAL))
        pick, trade = divmod(pick, len(_TRADES))
        surname, middle = divmod(pick, len(_PLACES) + len(_LINKS))
        if middle < len(_PLACES):  # a place first, then the family: "Bayview Okafor Electric"
            head = f"{_PLACES[middle]} {_SURNAMES[surname]}"
        else:
            head = f"{_SURNAMES[surname]} {_LINKS[middle - len(_PLACES)]}".strip()
        out.append(f"{head} {_TRADES[trade]}{_LEGAL[legal]}")
    return out


def _bank_name(rng, name: str) -> tuple[str, str]:
    """A customer's name as a bank line carries it, and how it was changed."""
    style = str(rng.choice(["master", "upper", "cut", "abbreviated", "legal", "typo"],
                           p=[0.35, 0.17, 0.17, 0.12, 0.12, 0.07]))
    if style == "upper":
        return name.upper(), style
    if style == "cut":  # wire and ACH name fields: 22 or 16 characters
        return name.upper()[:int(rng.choice([22, 16]))].rstrip(), style
    if style == "abbreviated":
        return " ".join(_ABBREVIATIONS.get(w, w) for w in name.split()).upper(), style
    if style == "legal":
        for legal in sorted(_LEGAL, key=len, reverse=True):
            if legal and name.endswith(legal):
                name = name[:-len(legal)]
                break
        return name + str(rng.choice([", Inc.", " LLC", " Limited", ""])), style
    if style == "typo" and len(name) > 10:
        i = int(rng.integers(2, len(name) - 2))
        return (name[:i] + name[i + 1] + name[i] + name[i + 2:]) if rng.random() < 0.5 else name[:i] + name[i + 1:], style
    return name, "master"


def _typo(rng, number: str) -> str:
    i = int(rng.integers(0, len(number) - 1))
    kind = int(rng.integers(3))
    if kind == 0 and number[i] != number[i + 1]:
        return number[:i] + number[i + 1] + number[i] + number[i + 2:]
    if kind == 1:
        return number[:i] + number[i + 1:]
    return number[:i] + str((int(number[i]) + 7) % 10) + number[i + 1:]


_PREFIXED = ("REF:{n}", "IN{n}", "INV#{n}", "Inv.{n}", "RE {n}", "DOC {n}", "/RFB/{n}", "BILL {n}", "{n}", "INV {n}")


def _remittance(rng, numbers: list[str], account: str, style: str, day: pd.Timestamp, cents: int) -> str:
    """Remittance text in this bank's manner; may carry a date, an amount, an account or trace number."""
    if style == "none":
        text = str(rng.choice(_NOTHING))
    elif style == "account":
        text = f"{rng.choice(['ACCT', 'A/C', 'CUST NO', 'Customer'])} {account}"
    elif style == "statement":
        text = f"STMT {rng.choice(['OCT', '10/2026', 'SEPT-OCT'])}"
    else:
        if style == "typo":
            k = int(rng.integers(len(numbers)))
            numbers = numbers[:k] + [_typo(rng, numbers[k])] + numbers[k + 1:]
        joined = str(rng.choice(["slash", "each", "comma"]))
        if joined == "slash":
            text = "/".join(numbers)
        else:
            form = str(rng.choice(_PREFIXED))
            text = str(rng.choice([" ", ",", ", "])).join(form.format(n=n) for n in numbers)
        text = str(rng.choice(["", "", "PMT ", "INVOICES ", "RE: "])) + text
    extra = str(rng.choice(["", "", "", "date", "amount", "account", "trace"]))
    if extra == "date":
        text += " " + str(rng.choice([f"DTD {day:%m%d%y}", f"DATE {day:%m/%d/%Y}", f"VAL {day:%Y-%m-%d}"]))
    elif extra == "amount":
        text += " " + str(rng.choice([f"AMT {cents / 100:,.2f}", f"USD {cents / 100:.2f}"]))
    elif extra == "account" and style != "account":
        text = f"ACCT {account} " + text
    elif extra == "trace":
        text += f" TRACE #{int(rng.integers(10**9, 10**10))}"
    if rng.random() < 0.3:  # a wire's field of 35 characters
        text = text[:35]
    return text.strip()


def payment_file(seed: int, n_customers: int = 1500, n_invoices: int = 15000, n_payments: int = 2000):
    """Open invoices, customers, bank lines and their true allocations (see the module docstring)."""
    rng = np.random.default_rng([int(seed), 4242])
    first_number = 100_000 if n_invoices < 800_000 else 1_000_000
    first_number += int(rng.integers(0, 5000))
    # Customer accounts are numbered like invoices: "ACCT 104417" is not an invoice reference.
    accounts = (first_number + rng.choice(n_invoices, size=n_customers, replace=False)).astype(str)
    names = _names(rng, n_customers)
    owner = np.sort(rng.integers(0, n_customers, n_invoices))
    issued = AS_OF - pd.to_timedelta(rng.integers(0, 150, n_invoices), unit="D")
    cents = np.rint(rng.lognormal(6.8, 1.1, n_invoices) * 100).astype(np.int64) + 100
    subscribers = rng.random(n_customers) < 0.08  # monthly fees of one amount
    fee = rng.choice([15000, 25000, 49900, 120000], n_customers)
    monthly = subscribers[owner] & (rng.random(n_invoices) < 0.6)
    cents[monthly] = fee[owner[monthly]]
    order = np.lexsort((issued.to_numpy(), owner))  # each customer's invoices oldest first
    owner, issued, cents = owner[order], issued.to_numpy()[order], cents[order]
    numbers = (first_number + np.arange(n_invoices)).astype(str)
    numbers = numbers[np.argsort(np.argsort(issued, kind="stable"), kind="stable")]  # numbered in issue order
    terms = rng.choice([30, 45, 60], n_customers)

    starts = np.searchsorted(owner, np.arange(n_customers + 1))
    next_open = starts[:-1].copy()  # each customer's oldest invoice nobody has paid yet
    days = pd.bdate_range(FIRST_PAYMENT_DAY, periods=5)
    cases = ["single", "several", "lump", "short", "over", "partial", "collision", "unidentified"]
    weights = [0.47, 0.22, 0.03, 0.08, 0.04, 0.05, 0.06, 0.05]
    styles = ["references", "typo", "none", "account", "statement"]
    style_weights = [0.62, 0.08, 0.2, 0.07, 0.03]
    payments, truth = [], []

    def add(case, style, customer, day, amount, remittance, payer, how, lockbox, paid):
        payment_id = f"TRX{seed:02d}{len(payments):07d}"
        payments.append((payment_id, accounts[customer] if lockbox and customer is not None else None, day,
                         amount / 100, "USD", payer, remittance, case, style, how))
        truth.extend((payment_id, numbers[i], c / 100) for i, c in paid)

    customer_order = rng.permutation(n_customers)
    last_day: dict[int, pd.Timestamp] = {}
    k = 0
    while len(payments) < n_payments:
        case = str(rng.choice(cases, p=weights))
        day = days[int(rng.integers(len(days)))]
        if case == "unidentified":
            amount = int(rng.integers(2_000, 2_000_000))
            add(case, "none", None, day, amount, str(rng.choice(_NOTHING + ("REFUND", "DEPOSIT"))),
                str(rng.choice(_STRANGERS)), "stranger", False, [])
            continue
        customer = int(customer_order[k % n_customers])
        k += 1
        day = max(day, last_day.get(customer, day))  # a customer's later invoices are paid later
        last_day[customer] = day
        rows = np.arange(next_open[customer], starts[customer + 1])
        want = {"several": int(rng.integers(2, 6)), "lump": int(rng.integers(6, 13)), "collision": 2}.get(case, 1)
        if len(rows) < want:  # too few open invoices for this case: pay what is open, one invoice
            case, want = "single", 1
            if not len(rows):
                continue
        rows = rows[:want]
        next_open[customer] += want
        style = str(rng.choice(styles, p=style_weights))
        payer, how = _bank_name(rng, names[customer])
        if rng.random() < 0.03:
            payer, how = str(rng.choice(_THIRD_PARTIES)), "third_party"
        lockbox = rng.random() < 0.15
        paid = [(int(i), int(cents[i])) for i in rows]
        amount = sum(c for _, c in paid)
        if case == "short":
            cut = int(rng.choice([1000, 1500, 2500])) if rng.random() < 0.4 else int(round(amount * rng.uniform(0.003, 0.02)))
            amount = max(1, amount - min(cut, amount // 2))
            paid = [(paid[0][0], amount)]
        elif case == "over":
            amount += int(rng.integers(100, 5000))
        elif case == "partial":
            amount = int(round(amount * float(rng.choice([0.3, 0.5])), -2)) or amount
            paid = [(paid[0][0], amount)]
            style = "references" if style in ("none", "account", "statement") else style
        if case == "collision":
            # Two invoices of one amount: an earlier payment by amount only pays the newer one;
            # a later payment names the older one.
            older, newer = int(rows[0]), int(rows[1])
            cents[newer] = cents[older]
            first_day = max(days[int(rng.integers(0, 2))], day)
            second_day = max(days[int(rng.integers(2, 5))], first_day + pd.Timedelta(days=1))
            last_day[customer] = second_day
            add("collision_amount", "none", customer, first_day, int(cents[newer]), str(rng.choice(_NOTHING)),
                payer, how, lockbox, [(newer, int(cents[newer]))])
            add("collision_reference", "references", customer, second_day, int(cents[older]),
                _remittance(rng, [numbers[older]], accounts[customer], "references", second_day, int(cents[older])),
                *_bank_name(rng, names[customer]), False, [(older, int(cents[older]))])
            continue
        if style == "none" and case == "single" and rng.random() < 0.5:
            # The amount is also another customer's (still unpaid) invoice: it must stay with its payer.
            other = int(rng.integers(n_invoices))
            if owner[other] != customer and other >= next_open[owner[other]]:
                cents[other] = amount
        remittance = _remittance(rng, [numbers[i] for i, _ in paid] if case != "lump" or rng.random() < 0.7 else [],
                                 accounts[customer], style if case != "lump" else "references", day, amount)
        add(case, style, customer, day, amount, remittance, payer, how, lockbox, paid)
    items = pd.DataFrame({"document_id": numbers, "customer_id": accounts[owner], "doc_type": "invoice",
                          "doc_date": issued.astype("datetime64[s]"),
                          "due_date": (issued + terms[owner].astype("timedelta64[D]")).astype("datetime64[s]"),
                          "amount": cents / 100, "currency": "USD"})
    customers = pd.DataFrame({"customer_id": accounts, "customer_name": names})
    payments = pd.DataFrame(payments[:n_payments], columns=["payment_id", "customer_id", "date", "amount", "currency",
                                                           "payer_name", "remittance", "case", "remittance_style",
                                                           "payer_style"])
    payments["date"] = payments["date"].astype("datetime64[s]")
    truth = pd.DataFrame(truth, columns=["payment_id", "document_id", "amount"])
    truth = truth[truth["payment_id"].isin(payments["payment_id"])].reset_index(drop=True)
    return items, customers, payments.sample(frac=1, random_state=int(seed)).reset_index(drop=True), truth
