// The `stimuli` param: output stimulus type → the stimulus names it gathers (the two
// natural_movie_one variants merge) and its relevant parameters (seed README table).
import { TaskError } from "#flow/task";
import type { ParamValue } from "#flow/task";

export interface StimulusType {
  name: string;
  sources: string[];
  parameters: string[];
}

export function stimulusTypes(p: ParamValue): StimulusType[] {
  if (!p || typeof p !== "object" || Array.isArray(p))
    throw new TaskError("param stimuli: expected a mapping of stimulus type → {sources, parameters}");
  return Object.entries(p).map(([name, v]) => {
    const o = v as { sources?: string[]; parameters?: string[] };
    if (!Array.isArray(o.parameters)) throw new TaskError(`param stimuli.${name}: missing 'parameters' list`);
    return { name, sources: o.sources ?? [name], parameters: o.parameters };
  });
}

export function stimulusType(p: ParamValue, name: string): StimulusType {
  const o = p as { sources?: string[]; parameters?: string[] };
  if (!o || !Array.isArray(o.parameters)) throw new TaskError(`param stimuli.${name}: missing 'parameters' list`);
  return { name, sources: o.sources ?? [name], parameters: o.parameters };
}

/** Relevant parameters by source stimulus name. */
export function relevantBySource(types: StimulusType[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const t of types) for (const s of t.sources) m.set(s, t.parameters);
  return m;
}

/** A relevant parameter as float64: numbers as they are, numeric text parsed ("0.25"); anything else NaN. */
export function numericParam(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return NaN;
}
