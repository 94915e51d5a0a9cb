"""Orientation tuning curves: the mean binned rate per orientation (averaged over the other
parameters) of the structures with the most units, one line each, as a self-contained SVG
(no plotting library needed; the same table gives the same bytes).

usage: tuning_figure.py <rates.csv> <out.svg> <top_structures>
"""
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "common"))
from csvio import read_rates  # noqa: E402

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]


def main(csv_path, out, top):
    rows = [r for r in read_rates(csv_path) if r["orientation"] not in ("", "nan")]
    units = defaultdict(int)
    curve = defaultdict(lambda: defaultdict(list))
    for r in rows:
        units[r["structure"]] = max(units[r["structure"]], int(r["n_units"]))
        curve[r["structure"]][float(r["orientation"])].append(float(r["rate_hz"]))
    shown = sorted(units, key=lambda s: (-units[s], s))[: int(top)]
    oris = sorted({o for s in shown for o in curve[s]})
    means = {s: [sum(curve[s][o]) / len(curve[s][o]) if curve[s][o] else 0.0 for o in oris] for s in shown}
    W, H, L, B, T, R = 640, 360, 56, 44, 28, 150
    ymax = max([v for vs in means.values() for v in vs] + [1e-9]) * 1.1
    x = lambda i: L + (W - L - R) * (i / max(1, len(oris) - 1))
    y = lambda v: H - B - (H - B - T) * (v / ymax)
    out_lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">',
        f'<text x="{W / 2:.0f}" y="16" text-anchor="middle" font-size="13">Orientation tuning (mean binned rate, spikes/s)</text>',
        f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="#333"/><line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="#333"/>',
    ]
    for i, o in enumerate(oris):
        out_lines.append(f'<text x="{x(i):.1f}" y="{H - B + 16}" text-anchor="middle">{o:g}°</text>')
    for k in range(5):
        v = ymax * k / 4
        out_lines.append(f'<text x="{L - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.1f}</text>')
    out_lines.append(f'<text x="{(L + W - R) / 2:.0f}" y="{H - 8}" text-anchor="middle">orientation</text>')
    for j, s in enumerate(shown):
        c = COLOURS[j % len(COLOURS)]
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(means[s]))
        out_lines.append(f'<polyline fill="none" stroke="{c}" stroke-width="1.8" points="{pts}"><title>{s}</title></polyline>')
        out_lines.append(f'<text x="{W - R + 12}" y="{T + 14 * j + 4}" fill="{c}">{s} ({units[s]} units)</text>')
    out_lines.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(out_lines) + "\n")
    print(f"{len(shown)} structures, {len(oris)} orientations")


if __name__ == "__main__":
    main(*sys.argv[1:4])
