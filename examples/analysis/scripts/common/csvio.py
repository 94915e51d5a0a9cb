"""Writing and reading the rates table: one place for its columns and number format."""
import csv

COLUMNS = ["structure", "condition", "orientation", "temporal_frequency", "n_sessions", "n_units", "n_presentations", "rate_hz"]


def write_rates(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([r[c] if not isinstance(r[c], float) else repr(r[c]) for c in COLUMNS])


def read_rates(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))
