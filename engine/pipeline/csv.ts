// A CSV table as pandas' `to_csv` writes it: a header row, cells quoted when they hold a
// comma, a quote or a newline, and "" for a quote inside a quoted cell.

export function parseCsv(text: string): { columns: string[]; rows: string[][] } {
  const out: string[][] = [];
  let row: string[] = [],
    cell = "",
    q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (q) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else q = false;
      } else cell += ch;
    } else if (ch === '"') q = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n") {
      row.push(cell);
      out.push(row);
      row = [];
      cell = "";
    } else if (ch !== "\r") cell += ch;
  }
  if (cell !== "" || row.length) {
    row.push(cell);
    out.push(row);
  }
  const [columns = [], ...rows] = out;
  return { columns, rows };
}
