// combined_statistics.csv: one row per (stimulus, session, structure) with the number
// of presentations and units, and whether the session has pupil data.
import { writeFileSync } from "node:fs";
import { defineTask } from "#flow/task";
import { readCubeHeader } from "../formats/cube.js";
import { toCsv, type Cell } from "../formats/pyfmt.js";

export default defineTask({
  inputs: { cubes: "files" },
  outputs: { csv: "file" },
  run(ctx) {
    const rows: Cell[][] = [];
    for (const path of ctx.inputs.cubes) {
      const h = readCubeHeader(path);
      const P = h.presentations.ids.length;
      if (P === 0) continue;
      for (const s of h.structures) rows.push([h.stimulus, h.session, s.name, P, s.unit_ids.length, h.pupil_columns.length > 0]);
    }
    writeFileSync(
      ctx.outputs.csv,
      toCsv(
        ["stimulus_type", "session_id", "brain_structure", "n_presentations", "n_units", "has_pupil_data"],
        rows,
        new Set(["session_id", "n_presentations", "n_units"]),
      ),
    );
    ctx.log(`${rows.length} rows`);
  },
});
