"""Mean binned firing rate per brain structure and stimulus condition.

Reads one stimulus file of the Allen pipeline (02_stimulus_types/<stimulus>.h5) with xarray:
for every session and structure, spike_data (presentation_id, unit_id, time) is 0/1 per
20 ms bin. A unit's binned rate in a presentation is the number of bins with a spike over
the presentation's binned time (n_bins × bin width), in spikes per second — a lower bound
on the true rate (two spikes in one bin count once). The rate of a structure in a
condition is the mean over its units and the presentations of that condition, pooled over
sessions. Conditions are the stimulus's relevant parameters (the presentations group).

usage: firing_rates.py <stimulus.h5> <out.csv>
"""
import sys
import os

import h5py
import numpy as np
import xarray as xr

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "common"))
from csvio import write_rates  # noqa: E402

FIXED = {"presentation_id", "stimulus_block", "start_time", "stop_time", "duration"}


def groups(path):
    """(session, structure) pairs of the file, in name order."""
    with h5py.File(path, "r") as f:
        return [(s, st) for s in sorted(f.keys()) for st in sorted(f[s].keys())]


def main(h5, out):
    pooled = {}  # (structure, condition) → [sum of rates, count, sessions, units, presentations, params]
    for session, structure in groups(h5):
        spikes = xr.open_dataset(h5, group=f"/{session}/{structure}/spike_data", engine="h5netcdf")
        pres = xr.open_dataset(h5, group=f"/{session}/{structure}/presentations", engine="h5netcdf")
        data = spikes["spike_data"].values  # (presentation, unit, time)
        time = spikes["time"].values
        width = float(time[1] - time[0]) if len(time) > 1 else float(2 * time[0])
        rates = data.sum(axis=2) / (len(time) * width)  # (presentation, unit), spikes/s
        params = sorted(v for v in pres.data_vars if v not in FIXED)
        values = np.stack([pres[p].values for p in params], axis=1) if params else np.zeros((rates.shape[0], 0))
        for key in sorted({tuple(v) for v in values.tolist()}):
            rows = np.all(values == np.array(key), axis=1) if params else np.ones(rates.shape[0], bool)
            cond = ";".join(f"{p}={v:g}" for p, v in zip(params, key))
            acc = pooled.setdefault((structure, cond), [0.0, 0, set(), 0, 0, dict(zip(params, key))])
            acc[0] += float(rates[rows].sum())
            acc[1] += int(rates[rows].size)
            acc[2].add(session)
            acc[3] += rates.shape[1]
            acc[4] += int(rows.sum())
        spikes.close()
        pres.close()
    out_rows = []
    for (structure, cond), (total, n, sessions, units, presentations, params) in sorted(pooled.items()):
        out_rows.append(
            {
                "structure": structure,
                "condition": cond,
                "orientation": params.get("orientation", ""),
                "temporal_frequency": params.get("temporal_frequency", ""),
                "n_sessions": len(sessions),
                "n_units": units,
                "n_presentations": presentations,
                "rate_hz": round(total / n, 9) if n else float("nan"),
            }
        )
    write_rates(out, out_rows)
    print(f"{len(out_rows)} structure × condition rows from {len(groups(h5))} session × structure groups")


if __name__ == "__main__":
    main(*sys.argv[1:3])
