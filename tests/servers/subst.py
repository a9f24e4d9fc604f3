#!/usr/bin/env python3
"""subst.py IN OUT NAME=VALUE... - copy IN to OUT replacing each @NAME@.
An @NAME@ left without a value is an error."""
import re
import sys

src, dst = sys.argv[1], sys.argv[2]
vals = dict(a.split("=", 1) for a in sys.argv[3:])
text = open(src, encoding="utf-8").read()
missing = set()


def rep(m):
    if m.group(1) in vals:
        return vals[m.group(1)]
    missing.add(m.group(1))
    return m.group(0)


text = re.sub(r"@([A-Z][A-Z0-9_]*)@", rep, text)
if missing:
    sys.exit("subst: %s: no value for %s" % (src, ", ".join(sorted(missing))))
with open(dst, "w", encoding="utf-8") as f:
    f.write(text)
