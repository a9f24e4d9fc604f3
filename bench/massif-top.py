#!/usr/bin/env python3
"""massif-top.py MASSIF.OUT [N] - the heap at massif's peak, by ferry's code.

Each allocation path of the peak snapshot is charged to the innermost frame
in ferry's own sources (a "(file.c:line)" frame), skipping the allocation
wrappers (err.c's xmalloc family, buf.c); a path with no such frame is
charged to its first named library function.  Prints the N largest (default 12).
"""
import collections
import re
import sys

WRAPPERS = {"err.c", "buf.c"}
OWN = re.compile(r"\((\w+\.c):\d+\)")
NODE = re.compile(r"( *)n\d+: (\d+) (.*)")


def peak_tree(lines):
    """The node lines (depth, bytes, text) of the largest detailed snapshot."""
    best, best_heap, heap = None, -1, 0
    for i, line in enumerate(lines):
        if line.startswith("mem_heap_B="):
            heap = int(line.split("=")[1])
        elif line.startswith("heap_tree=") and line != "heap_tree=empty":
            if heap > best_heap:
                best, best_heap = i + 1, heap
    nodes = []
    for line in lines[best:]:
        m = NODE.match(line)
        if not m:
            break
        nodes.append((len(m.group(1)), int(m.group(2)), m.group(3)))
    return best_heap, nodes


def charge(nodes, i, label, acc, named=None):
    depth, size, text = nodes[i]
    if named is None and "???" not in text and not OWN.search(text) \
            and "below massif" not in text:
        named = re.sub(r"^0x[0-9A-Fa-f]+: ", "", text).split(" (")[0] + " (library)"
    m = OWN.search(text) if label is None else None
    if m and m.group(1) not in WRAPPERS:
        func = re.sub(r"^0x[0-9A-Fa-f]+: ", "", text).split(" (")[0]
        label = f"{func} ({m.group(1)})"
    kids, j = [], i + 1
    while j < len(nodes) and nodes[j][0] > depth:
        if nodes[j][0] == depth + 1:
            kids.append(j)
        j += 1
    if label is not None or not kids:
        acc[label or named or text[:70]] += size
        return
    for k in kids:
        charge(nodes, k, label, acc, named)


def main():
    lines = open(sys.argv[1]).read().split("\n")
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    heap, nodes = peak_tree(lines)
    acc = collections.Counter()
    for k in range(1, len(nodes)):
        if nodes[k][0] == nodes[0][0] + 1:
            charge(nodes, k, None, acc)
    print(f"  peak heap {heap:,} B")
    for label, size in acc.most_common(top):
        print(f"  {size:>11,} B  {label}")


main()
