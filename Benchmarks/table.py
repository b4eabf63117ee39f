"""Prints benchmark rows (Benchmarks/common.sh) as one table.

    python3 Benchmarks/table.py ROWS            aligned text, for the terminal
    python3 Benchmarks/table.py --markdown ROWS a Markdown table, for BENCHMARKS.md
"""
import sys

HEADER = ("measure", "FieldAudit", "reference (same run)", "ratio", "target", "verdict")


def main(argv):
    markdown = "--markdown" in argv
    paths = [a for a in argv if a != "--markdown"]
    if len(paths) != 1:
        sys.exit("usage: table.py [--markdown] ROWS")
    with open(paths[0], encoding="utf-8") as rows_file:
        rows = [tuple(line.rstrip("\n").split("\t")) for line in rows_file if line.strip()]
    for row in rows:
        if len(row) != len(HEADER):
            sys.exit(f"table.py: a row needs {len(HEADER)} tab-separated fields, not {len(row)}: {row}")
    if markdown:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "---|" * len(HEADER))
        for row in rows:
            print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
        return
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    for index, row in enumerate([HEADER, *rows]):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    main(sys.argv[1:])
