// Real outside clients: Debian's python3-h5py opens the generated NWB files, and
// python3-xarray (h5netcdf and netcdf4 engines) opens every output group. .ci/run
// installs them; without them these tests are skipped and say why.
import { describe, it, expect, inject } from "vitest";
import { join } from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { execa } from "execa";
import { parse } from "yaml";
import { REPO, tempDir } from "../rig.js";

const PYTHON = process.env.FLOW_PYTHON ?? "/usr/bin/python3";
const probe = await execa(PYTHON, ["-c", "import xarray, h5netcdf, netCDF4, h5py"], { reject: false });
const missing = probe.exitCode !== 0;
if (missing) {
  console.warn(
    `SKIPPED interop tests: ${PYTHON} cannot import xarray, h5netcdf, netCDF4 and h5py ` +
      `(install Debian's python3-xarray python3-h5netcdf python3-netcdf4 python3-h5py, as .ci/run does)`,
  );
}

describe.skipIf(missing)("interop with Python clients", () => {
  it("h5py finds the layout's typed attributes and datasets in the generated NWB files", async () => {
    const r = await execa(PYTHON, [join(REPO, "test/interop/check_nwb.py"), inject("exampleCache")], { reject: false });
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(r.exitCode).toBe(0);
  });

  it("xarray opens every output group with both engines, with the contract's dims, dtypes and values, and attributes that describe them", async () => {
    // the params the example ran with: pipeline.yaml's defaults, read here, not by flow
    const declared = (parse(readFileSync(join(REPO, "pipeline.yaml"), "utf8")) as { params: Record<string, { default?: unknown }> }).params;
    const params = join(tempDir(), "params.json");
    writeFileSync(params, JSON.stringify(Object.fromEntries(Object.entries(declared).map(([k, v]) => [k, v.default]))));
    const args = [join(REPO, "test/interop/check_outputs.py"), join(inject("exampleWorkspace"), "data"), inject("exampleCache"), params];
    const r = await execa(PYTHON, args, {
      reject: false,
      env: { PYTHONWARNINGS: "ignore" },
    });
    expect(r.stdout, r.stderr).toMatch(/^\d+ passed, 0 failed$/m);
    expect(r.exitCode).toBe(0);
  });
});
