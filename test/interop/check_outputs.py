"""Opens every output group of a flow data dir with xarray (h5netcdf and netcdf4) and
checks dims, coordinates, dtypes, values against 03_filtered.csv, and the VIS subset;
and what the files say about themselves against independent sources: each session's
NWB bytes (sha256), the cache's sessions.csv (session_type), the params given here.
Usage: check_outputs.py <data_dir> <allen_cache> <params.json>.
Prints 'N passed, 0 failed' on success."""
import csv, glob, hashlib, json, os, sys
import numpy as np
import xarray as xr
import h5py
import netCDF4

data, allen_cache, params_file = sys.argv[1], sys.argv[2], sys.argv[3]
params = json.load(open(params_file))
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
session_types = {int(r["id"]): r["session_type"] for r in csv.DictReader(open(os.path.join(allen_cache, "sessions.csv")))}
nwb_sha256 = {}
for sid in session_types:
    h = hashlib.sha256()
    with open(os.path.join(allen_cache, f"session_{sid}", f"session_{sid}.nwb"), "rb") as nwb:
        for block in iter(lambda: nwb.read(1 << 20), b""):
            h.update(block)
    nwb_sha256[sid] = h.hexdigest()
GAZE_UNITS = {"raw_eye_area": "pixel^2", "raw_pupil_area": "pixel^2", "raw_screen_coordinates_x_cm": "cm", "raw_screen_coordinates_y_cm": "cm",
              "raw_screen_coordinates_spherical_x_deg": "degree", "raw_screen_coordinates_spherical_y_deg": "degree"}
W = params["bin_width"]


def check_file_attrs(path, f, stim, subset, groups):
    a = f.attrs
    check(a.get("Conventions") == "CF-1.8", f"{path}: Conventions")
    check(a["stimulus_type"] == stim, f"{path}: stimulus_type")
    check(list(a["stimulus_names"]) == params["stimuli"][stim]["sources"], f"{path}: stimulus_names {list(a['stimulus_names'])}")
    if groups:
        check(list(a["stimulus_parameters"]) == params["stimuli"][stim]["parameters"], f"{path}: stimulus_parameters")
    check(sorted(int(x) for x in a["session_ids"]) == sorted({int(s.split("_")[1]) for s, _ in groups}), f"{path}: session_ids")
    for name in ("bin_width", "median_threshold_movie", "median_threshold_other", "amplitude_cutoff_maximum", "presence_ratio_minimum", "isi_violations_maximum"):
        check(a[name] == params[name] and a[name].dtype == np.float64, f"{path}: {name} = {a[name]!r}, the params say {params[name]!r}")
    check(int(a["gzip_level"]) == params["gzip_level"] and a["gzip_level"].dtype == np.int64, f"{path}: gzip_level")
    check(list(a["drop_names"]) == params["drop_names"], f"{path}: drop_names")
    check(("structure_filter" in a) == subset, f"{path}: structure_filter only on the subset")


def check_group_attrs(path, f, s, st):
    sid = int(s.split("_")[1])
    g = f[s]
    check(int(g.attrs["session_id"]) == sid and g.attrs["session_id"].dtype == np.int64, f"{path}/{s}: session_id")
    check(g.attrs["session_type"] == session_types[sid], f"{path}/{s}: session_type {g.attrs['session_type']!r}, sessions.csv says {session_types[sid]!r}")
    check(g.attrs["nwb_sha256"] == nwb_sha256[sid], f"{path}/{s}: nwb_sha256 is not the NWB file's")
    check(g[st].attrs["structure"] == st and int(g[st].attrs["n_units"]) == g[st]["spike_data/unit_id"].shape[0], f"{path}/{s}/{st}: structure attributes")

for path in sorted(glob.glob(os.path.join(data, "02_stimulus_types", "*.h5")) + glob.glob(os.path.join(data, "03_subset_natural_visual", "*.h5"))):
    stim = os.path.basename(path)[:-3]
    subset = "03_subset" in path
    with h5py.File(path, "r") as f:
        check(f.attrs["flow_version"], f"{path}: flow_version attribute")
        check(len(f.attrs["flow_node_key"]) == 64, f"{path}: flow_node_key attribute")
        groups = [(s, st) for s in f for st in f[s]]
        has_pupil = {(s, st): "pupil_data" in f[s][st] for s, st in groups}
        check_file_attrs(path, f, stim, subset, groups)
        for s, st in groups:
            check_group_attrs(path, f, s, st)
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
            check(np.allclose(sd.time.values, (np.arange(T) + 0.5) * W, rtol=0, atol=1e-12), f"{path}{base} time = bin centres")
            # self-description: the only variables besides the data are the bin bounds (CF), named by time's bounds attribute
            for ds, want in ((sd, {"spike_data"}), (sp, {"speed"})):
                check(set(ds.data_vars) == want | {"time_bounds"}, f"{path}{base}: variables {sorted(ds.data_vars)}")
                check(ds.time.attrs.get("bounds") == "time_bounds" and ds.time.attrs.get("units") == "s", f"{path}{base}: time attributes {ds.time.attrs}")
                tb = ds.time_bounds
                check(tb.dims == ("time", "nv") and tb.shape == (T, 2), f"{path}{base}: time_bounds dims {tb.dims}")
                check(np.allclose(tb.values[:, 0], np.arange(T) * W, rtol=0, atol=1e-12) and np.allclose(tb.values[:, 1], np.arange(1, T + 1) * W, rtol=0, atol=1e-12),
                      f"{path}{base}: time_bounds are not the edges k × bin_width")
                check(np.allclose(tb.values.mean(axis=1), ds.time.values, rtol=0, atol=1e-12), f"{path}{base}: time is not the middle of its bounds")
                check(ds.attrs.get("session_id") == sid and ds.attrs.get("bin_width") == W and ds.attrs.get("stimulus_type") == stim, f"{path}{base}: group attributes {ds.attrs}")
            check(sd.attrs.get("structure") == st, f"{path}{base}: spike_data names its structure")
            check(sp.speed.attrs.get("units") == "cm/s" and "velocity" in sp.speed.attrs.get("long_name", "") and "signed" in sp.speed.attrs.get("long_name", ""),
                  f"{path}{base}: speed says it is a signed velocity in cm/s")
            check(pr.start_time.attrs.get("units") == "s" and pr.duration.attrs.get("units") == "s", f"{path}{base}: presentation times in s")
            if "orientation" in pr:
                check(pr.orientation.attrs.get("units") == "degree", f"{path}{base}: orientation in degrees")
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
                check(sorted(pu.data_vars) == sorted(list(GAZE_UNITS) + ["time_bounds"]), f"{path}{base} pupil variables")
                for v, u in GAZE_UNITS.items():
                    check(pu[v].attrs.get("units") == u and pu[v].attrs.get("long_name"), f"{path}{base}: {v} units {pu[v].attrs.get('units')!r}")
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
