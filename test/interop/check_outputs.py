"""Opens every output group of a flow data dir with xarray (h5netcdf and netcdf4) and
checks dims, coordinates, dtypes, values against 03_filtered.csv, and the VIS subset.
Usage: check_outputs.py <data_dir>. Prints 'N passed, 0 failed' on success."""
import csv, glob, os, sys
import numpy as np
import xarray as xr
import h5py
import netCDF4

data = sys.argv[1]
checks = 0
failures = []


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)


rows = list(csv.DictReader(open(os.path.join(data, "presentations", "03_filtered.csv"))))
by_id = {(int(r["session_id"]), int(r["stimulus_presentation_id"])): r for r in rows}
stats = list(csv.DictReader(open(os.path.join(data, "combined_statistics.csv"))))

for path in sorted(glob.glob(os.path.join(data, "02_stimulus_types", "*.h5")) + glob.glob(os.path.join(data, "03_subset_natural_visual", "*.h5"))):
    stim = os.path.basename(path)[:-3]
    subset = "03_subset" in path
    with h5py.File(path, "r") as f:
        check(f.attrs["flow_version"], f"{path}: flow_version attribute")
        check(len(f.attrs["flow_node_key"]) == 64, f"{path}: flow_node_key attribute")
        groups = [(s, st) for s in f for st in f[s]]
        has_pupil = {(s, st): "pupil_data" in f[s][st] for s, st in groups}
    check(len(groups) > 0, f"{path}: no groups")
    # netCDF-C parses the whole file on every open (~80 ms here): open it once and hand
    # each group to xarray's netcdf4 backend; one group also goes through engine="netcdf4".
    nc = netCDF4.Dataset(path)
    s0, st0 = groups[0]
    xr.open_dataset(path, group=f"/{s0}/{st0}/spike_data", engine="netcdf4").close()

    def opener(engine, group):
        if engine == "h5netcdf":
            return xr.open_dataset(path, group=group, engine="h5netcdf")
        g = nc
        for part in group.strip("/").split("/"):
            g = g.groups[part]
        return xr.open_dataset(xr.backends.NetCDF4DataStore(g))

    for s, st in groups:
        sid = int(s.split("_")[1])
        if subset:
            check(st.startswith("VIS"), f"{path}: subset holds {st}")
        base = f"/{s}/{st}"
        for engine in ("h5netcdf", "netcdf4"):
            sd = opener(engine, base + "/spike_data")
            sp = opener(engine, base + "/speed")
            pr = opener(engine, base + "/presentations")
            check(sd.spike_data.dims == ("presentation_id", "unit_id", "time"), f"{path}{base} spike_data dims {sd.spike_data.dims}")
            check(sd.spike_data.dtype == np.uint8, f"{path}{base} spike_data dtype")
            check(set(np.unique(sd.spike_data.values)) <= {0, 1}, f"{path}{base} spike_data not 0/1")
            check(sd.presentation_id.dtype == np.int64 and sd.unit_id.dtype == np.int64 and sd.time.dtype == np.float64, f"{path}{base} coordinate dtypes")
            check(sp.speed.dims == ("presentation_id", "time") and sp.speed.dtype == np.float32, f"{path}{base} speed")
            check(pr.start_time.dims == ("presentation_id",) and pr.start_time.dtype == np.float64, f"{path}{base} presentations")
            enc = sd.spike_data.encoding
            check(enc.get("zlib") or enc.get("compression") == "gzip", f"{path}{base} spike_data not gzip-compressed")
            T = sd.sizes["time"]
            check(np.allclose(sd.time.values, (np.arange(T) + 0.5) * 0.02, rtol=0, atol=1e-12), f"{path}{base} time = bin centres")
            check(np.array_equal(sd.presentation_id.values, pr.presentation_id.values), f"{path}{base} presentation ids differ between groups")
            # values against the presentations CSV
            ids = pr.presentation_id.values
            found = [by_id.get((sid, int(pid))) for pid in ids]
            check(all(r is not None for r in found), f"{path}{base}: presentations missing from 03_filtered.csv")
            if all(r is not None for r in found):
                for col in ("start_time", "stop_time", "duration", "stimulus_block"):
                    want = np.array([float(r[col]) for r in found])
                    check(np.array_equal(want, pr[col].values), f"{path}{base}: {col} differs from the CSV")
            check(T == int(np.ceil(pr.duration.values.max() / 0.02)), f"{path}{base}: n_bins = ceil(max duration / 0.02)")
            if has_pupil[(s, st)]:
                pu = opener(engine, base + "/pupil_data")
                check(sorted(pu.data_vars) == sorted(["raw_eye_area", "raw_pupil_area", "raw_screen_coordinates_x_cm", "raw_screen_coordinates_y_cm",
                                                      "raw_screen_coordinates_spherical_x_deg", "raw_screen_coordinates_spherical_y_deg"]), f"{path}{base} pupil variables")
                if engine == "h5netcdf":
                    pu.close()
            if engine == "h5netcdf":  # the netcdf4 stores share `nc`, closed once below
                for d in (sd, sp, pr):
                    d.close()
        if not subset:
            match = [x for x in stats if x["stimulus_type"] == stim and int(x["session_id"]) == sid and x["brain_structure"] == st]
            check(len(match) == 1, f"{path}{base}: not in combined_statistics.csv")
            if match:
                with xr.open_dataset(path, group=base + "/spike_data", engine="h5netcdf") as sd:
                    check(int(match[0]["n_units"]) == sd.sizes["unit_id"] and int(match[0]["n_presentations"]) == sd.sizes["presentation_id"], f"{path}{base}: statistics differ")
                    check((match[0]["has_pupil_data"] == "True") == has_pupil[(s, st)], f"{path}{base}: has_pupil_data differs")
    nc.close()

if hasattr(xr, "open_datatree"):
    for path in glob.glob(os.path.join(data, "02_stimulus_types", "*.h5")):
        xr.open_datatree(path, engine="h5netcdf").close()
        checks += 1

for f in failures[:20]:
    print("FAIL:", f)
print(f"{checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
