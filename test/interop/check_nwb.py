"""Opens generated NWB files with h5py and checks what the layout document lists:
typed-object attributes, dtypes, ragged columns, references, links, tables.
Usage: check_nwb.py <cache_dir>. Prints 'N passed, 0 failed' on success."""
import glob, os, sys
import h5py
import numpy as np

cache = sys.argv[1]
checks = 0
failures = []


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)


def typed(obj, ntype, ns):
    a = obj.attrs
    check(a.get("neurodata_type") == ntype, f"{obj.name}: neurodata_type {a.get('neurodata_type')} != {ntype}")
    check(a.get("namespace") == ns, f"{obj.name}: namespace {a.get('namespace')} != {ns}")
    check(len(a.get("object_id", "")) == 36, f"{obj.name}: object_id")


for path in sorted(glob.glob(os.path.join(cache, "session_*", "session_*.nwb"))):
    sid = os.path.basename(path)[8:-4]
    with h5py.File(path, "r") as f:
        typed(f, "NWBFile", "core")
        check(f.attrs["nwb_version"] == "2.2.2", "nwb_version")
        check(f["identifier"][()].decode() == sid, "identifier = session id")
        check(h5py.check_string_dtype(f["identifier"].dtype).length is None, "identifier is a vlen string")
        check(f["general/stimulus"][()].decode() in ("brain_observatory_1.1", "functional_connectivity"), "/general/stimulus")
        typed(f["general/subject"], "EcephysSpecimen", "ndx-aibs-ecephys")
        for name in f["general/devices"]:
            typed(f["general/devices"][name], "EcephysProbe", "ndx-aibs-ecephys")
            g = f["general/extracellular_ephys"][name]
            typed(g, "EcephysElectrodeGroup", "ndx-aibs-ecephys")
            check(isinstance(g.get("device", getlink=True), h5py.SoftLink), f"{g.name}/device is a soft link")
        el = f["general/extracellular_ephys/electrodes"]
        typed(el, "DynamicTable", "hdmf-common")
        check(list(el.attrs["colnames"]) == ["x", "y", "z", "imp", "location", "filtering", "group", "group_name", "probe_vertical_position",
                                             "probe_horizontal_position", "probe_id", "local_index", "valid_data"], "electrodes colnames")
        check(el["id"].dtype == np.int64 and el["valid_data"].dtype == np.int8, "electrodes dtypes")
        check(el["group"].dtype == h5py.ref_dtype, "electrodes group is an object reference")
        u = f["units"]
        typed(u, "Units", "core")
        check(len(u.attrs["colnames"]) == 29, "units: 26 metadata columns + 3 ragged")
        for c in ["peak_channel_id", "local_index", "cluster_id", "spike_times_index", "id"]:
            check(u[c].dtype == np.int64, f"units/{c} int64")
        typed(u["spike_times_index"], "VectorIndex", "hdmf-common")
        check(f[u["spike_times_index"].attrs["target"]].name == "/units/spike_times", "spike_times_index target reference")
        check(u["spike_times"].chunks is None and u["spike_times"].compression is None, "spike_times contiguous, uncompressed")
        check(u["waveform_mean"].ndim == 2, "waveform_mean is 2-D")
        idx = u["spike_times_index"][:]
        st = u["spike_times"][:]
        check(idx[-1] == len(st), "ragged index ends at the data length")
        starts = np.concatenate([[0], idx[:-1]])
        check(all(np.all(np.diff(st[a:b]) >= 0) for a, b in zip(starts, idx)), "spike times sorted per unit")
        check(h5py.check_string_dtype(u["quality"].dtype) is not None, "quality is a string column")
        names = [k for k in f["intervals"] if k.endswith("_presentations")]
        check(len(names) >= 7, "presentation tables")
        for k in names:
            t = f["intervals"][k]
            typed(t, "TimeIntervals", "core")
            check(t["start_time"].dtype == np.float64 and t["id"].dtype == np.int64, f"{k} dtypes")
            check(t["timeseries"].dtype.names == ("idx_start", "count", "timeseries"), f"{k} timeseries compound")
            check(list(t["tags"][:1]) == [b"stimulus_time_interval"], f"{k} tags")
            if k != "spontaneous_presentations":
                check("stimulus_block" in t and "stimulus_index" in t, f"{k} has stimulus_block/index")
        for k in ("spatial_frequency", "phase"):
            if "static_gratings_presentations" in f["intervals"]:
                check(h5py.check_string_dtype(f["intervals/static_gratings_presentations"][k].dtype) is not None, f"static_gratings {k} is text")
        run = f["processing/running"]
        typed(run, "ProcessingModule", "core")
        check(isinstance(run["running_wheel_rotation"].get("timestamps", getlink=True), h5py.SoftLink), "running_wheel_rotation timestamps link")
        check(run["running_speed"]["data"].attrs["unit"] == "cm/s", "running speed unit")
        if "raw_gaze_mapping" in f["processing"]:
            check(f["processing/raw_gaze_mapping/screen_coordinates/data"].shape[1] == 2, "screen_coordinates N×2")
            for t in ("pupil_ellipse_fits", "cr_ellipse_fits", "eye_ellipse_fits"):
                typed(f["processing/eye_tracking"][t], "DynamicTable", "hdmf-common")

for f in failures[:20]:
    print("FAIL:", f)
print(f"{checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
