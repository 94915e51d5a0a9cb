// The small ways to mislead, each closed: a task's terminal escapes shown, not obeyed; the
// environment variable named when its value is wrong; a newline in a value printed as
// text; numbers decimal only inside lists too; export's own error, not its clean-up's.
import { describe, it, expect, inject } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { FLOW, flow, pipelineWorkspace, runJson, tempDir, toyWorkspace } from "../rig.js";
import { main } from "../../engine/cli/main.js";

describe("smaller holes", () => {
  it("flow log --output on a terminal shows a task's control sequences, never sends them", async () => {
    const ws = toyWorkspace({
      "tasks/upper.ts": `import { writeFileSync } from "node:fs";
export default { run(ctx: any) { process.stdout.write("\\x1b]0;pwned title\\x07\\x1b[2Jcleared\\n"); writeFileSync(ctx.outputs.out, "x"); } };
`,
    });
    expect((await runJson(ws)).code).toBe(0);
    const call = async (isTTY: boolean) => {
      let out = "";
      const back = process.cwd();
      process.chdir(ws);
      try {
        await main(["log", "upper[name=a]", "--output"], { out: (s) => void (out += s), err: () => {}, isTTY });
      } finally {
        process.chdir(back);
      }
      return out;
    };
    const tty = await call(true);
    expect(tty).not.toMatch(/[\x1b\x07]/);
    expect(tty).toBe("␛]0;pwned title\\x07␛[2Jcleared\n");
    expect(await call(false)).toBe("\x1b]0;pwned title\x07\x1b[2Jcleared\n"); // into a file or a pipe: as it was
  });

  it("FLOW_LINK set wrong or empty names the variable, not --link", async () => {
    const ws = toyWorkspace();
    for (const [v, said] of [
      ["symlink", "FLOW_LINK=symlink: expected copy, hardlink, reflink"],
      ["", "FLOW_LINK is set but empty: expected copy, hardlink, reflink, or unset it"],
    ]) {
      const r = await execa(process.execPath, [FLOW, "run"], { cwd: ws, reject: false, env: { ...process.env, FLOW_LINK: v } });
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim()).toBe(`flow: ${said}`);
    }
  });

  it("a newline in a --set value is printed as text; hexadecimal is not a number inside a list either", async () => {
    const ws = pipelineWorkspace();
    const nl = await flow(ws, "status", "--set", "gzip_level=3\n9");
    expect(nl.code).toBe(2);
    expect(nl.stderr).toContain('--set gzip_level="3\\n9": must be integer');
    const hex = await flow(ws, "status", "--set", `allen_cache=${inject("exampleCache")}`, "--set", "session_ids=[0x2A9F6BC7]");
    expect(hex.code).toBe(2);
    expect(hex.stderr).toContain("--set session_ids=[0x2A9F6BC7]: session_ids.0: must be integer");
  });

  it("flow export into a folder whose parent is a file says so (not the clean-up's error)", async () => {
    const ws = inject("exampleWorkspace");
    const file = join(tempDir(), "a-file");
    writeFileSync(file, "");
    const r = await flow(ws, "export", "flashes", "VISp", join(file, "out"), "--set", `allen_cache=${inject("exampleCache")}`);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`flow: ${join(file, "out")}: cannot mkdir: a parent is not a directory (ENOTDIR)`);
  });
});
