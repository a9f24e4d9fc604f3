#!/bin/bash
# The manual page and `help` come from one source, the command tables:
# every command of every table (`ferry -c help`: the shell's, then each
# protocol's) has its own .TP entry in the man page's section of that
# table (SHELL COMMANDS, FTP COMMANDS, NNTP COMMANDS), whose first line
# renders as the command's name followed by exactly the table's args
# string; and no entry there names a command the table does not have.
# Likewise the SETTINGS section has one entry per setting of `help set`,
# its first line the setting's name alone; the URLS section names every
# scheme `help open` lists, the OPTIONS section every option of `ferry
# --help`; and the page's header carries the version `ferry --version`
# prints.
#
#   bash check_commands.sh SRCDIR FERRY WORK
#
# Entries are rendered with groff (-Tascii, no bold or underline, a line
# long enough never to wrap), so what is compared is what a reader sees.
# Entries under a .SS subsection (SHELL COMMANDS' "Output and jobs") are
# prose about operators, not commands, and are not compared.
set -eu
SRC=$1 FERRY=$2 W=$3/commands
page=$SRC/doc/ferry.1
command -v groff > /dev/null || { echo "SKIP: commands: no groff (groff-base)"; exit 77; }
rm -rf "$W"
mkdir -p "$W/home"
export HOME=$W/home XDG_CONFIG_HOME=$W/home/.config XDG_STATE_HOME=$W/home/.state
export XDG_DATA_HOME=$W/home/.data XDG_CACHE_HOME=$W/home/.cache
export LC_ALL=C NO_COLOR=1 TERM=dumb
unset NNTPSERVER PAGER

"$FERRY" --no-rc -c help > "$W/help.txt" 2> "$W/help.err" < /dev/null ||
	{ echo "FAIL: commands: ferry -c help failed: $(cat "$W/help.err")" >&2; exit 1; }
"$FERRY" --no-rc -c 'help set' > "$W/set.txt" 2> "$W/set.err" < /dev/null ||
	{ echo "FAIL: commands: ferry -c 'help set' failed: $(cat "$W/set.err")" >&2; exit 1; }

# `help`: a header per table ("Shell commands:", "ftp commands:"), then
# "  USAGE  HELP" lines, USAGE and HELP apart by two blanks or more (a
# usage string never holds two blanks in a row).  Out: SECTION<TAB>USAGE,
# the section as the man page names it.
awk '
	/^[^ ].* commands:$/ { sec = toupper(substr($0, 1, length($0) - 1)); next }
	/^  [^ ]/ && sec != "" {
		line = substr($0, 3)
		if (match(line, /  +/)) line = substr(line, 1, RSTART - 1)
		print sec "\t" line
	}' "$W/help.txt" > "$W/table.tsv"
# `help set`: "  NAME  VALUE ..." lines whose first word has a colon.
awk '/^  [a-z0-9-]+:[a-z0-9:-]+ / { print "SETTINGS\t" $1 }' "$W/set.txt" >> "$W/table.tsv"
[ "$(grep -c . "$W/table.tsv")" -gt 20 ] ||
	{ echo "FAIL: commands: too few commands and settings read from help:" >&2; cat "$W/help.txt" "$W/set.txt" >&2; exit 1; }

# The man page: the line after each .TP in the compared sections, each
# rendered alone on a line of its own, with its section before it.
awk '
	/^\.SH / { sec = substr($0, 5); gsub(/"/, "", sec); on = (sec ~ / COMMANDS$/ || sec == "SETTINGS"); next }
	/^\.SS / { on = 0; next }
	on && /^\.TP/ { want = 1; next }
	on && want { print ".PP"; print "@@" sec "@@"; print ".br"; print; print ".br"; want = 0 }
	END { print ".PP"; print "@@END@@" }
' "$page" > "$W/heads.roff"
{ printf '.TH X 1\n.SH X\n'; cat "$W/heads.roff"; } |
	groff -mandoc -Tascii -P-cbou -rLL=1000n 2> "$W/groff.err" |
	awk '
		{ sub(/^ +/, ""); sub(/ +$/, "") }
		/^@@.*@@$/ { sec = substr($0, 3, length($0) - 4); next }
		sec != "" && sec != "END" && $0 != "" { print sec "\t" $0 }' > "$W/man.tsv"
[ -s "$W/man.tsv" ] || { echo "FAIL: commands: no entries found in $page" >&2; exit 1; }

# Compare by section and name (the first word), both ways, in one pass.
awk -F'\t' '
	function first(u,  w) { split(u, w, " "); return w[1] }
	FNR == NR { t[$1, first($2)] = $2; tn[$1] = tn[$1] " " first($2); order[++nt] = $1 SUBSEP first($2); next }
	{ k = $1 SUBSEP first($2); if (mc[k]++) m[k] = m[k] "|" $2; else { m[k] = $2; morder[++nm] = k } }
	END {
		for (i = 1; i <= nt; i++) {
			k = order[i]; split(k, p, SUBSEP)
			if (!mc[k])
				printf "%s: `%s` has no .TP entry of its own in doc/ferry.1 (its first line: %s)\n", p[1], p[2], t[k]
			else if (mc[k] > 1)
				printf "%s: `%s` has several entries in doc/ferry.1: %s\n", p[1], p[2], m[k]
			else if (m[k] != t[k])
				printf "%s: `%s`: doc/ferry.1 says `%s`, the table says `%s`\n", p[1], p[2], m[k], t[k]
		}
		for (i = 1; i <= nm; i++) {
			k = morder[i]; split(k, p, SUBSEP)
			if (!(k in t))
				printf "%s: doc/ferry.1 has an entry `%s` that no table has (in `help`:%s)\n", p[1], m[k], tn[p[1]]
		}
	}' "$W/table.tsv" "$W/man.tsv" > "$W/diff.txt"
# URL schemes: each one `help open` lists is named in the URLS section.
"$FERRY" --no-rc -c 'help open' > "$W/open.txt" 2>&1 < /dev/null ||
	{ echo "FAIL: commands: ferry -c 'help open' failed: $(cat "$W/open.txt")" >&2; exit 1; }
awk '/^\.SH / { on = ($0 ~ /^\.SH "?URLS"?$/) } on' "$page" |
	{ printf '.TH X 1\n'; cat; } | groff -mandoc -Tascii -P-cbou -rLL=1000n 2> /dev/null > "$W/urls.txt"
for scheme in $(sed -n 's|^  \([a-z]*\)://.*|\1|p' "$W/open.txt"); do
	grep -q "$scheme://" "$W/urls.txt" ||
		echo "URLS: the scheme $scheme:// (in \`help open\`) is not in doc/ferry.1" >> "$W/diff.txt"
done
[ "$(grep -c '://' "$W/open.txt")" -ge 3 ] || echo "URLS: help open lists no schemes" >> "$W/diff.txt"
# Options: each one `ferry --help` lists has an entry in OPTIONS.
"$FERRY" --help > "$W/usage.txt" 2>&1 || true
awk '/^\.SH / { on = ($0 ~ /^\.SH "?OPTIONS"?$/) } on' "$page" |
	{ printf '.TH X 1\n'; cat; } | groff -mandoc -Tascii -P-cbou -rLL=1000n 2> /dev/null |
	sed 's/^ *//' > "$W/options.txt"
for opt in $(sed -n 's/^  \(-[-a-z]*\).*/\1/p' "$W/usage.txt"); do
	grep -Eq -- "^$opt( |\$)" "$W/options.txt" ||
		echo "OPTIONS: $opt (in \`ferry --help\`) has no entry in doc/ferry.1" >> "$W/diff.txt"
done
[ "$(grep -c '^  -' "$W/usage.txt")" -ge 5 ] || echo "OPTIONS: ferry --help lists no options" >> "$W/diff.txt"
# The header's version.
v=$("$FERRY" --version)
head_v=$(awk '/^\.TH / { print; exit }' "$page")
grep -qF "\"$v\"" <<< "$head_v" ||
	echo "the header ($head_v) does not carry \"$v\" (ferry --version)" >> "$W/diff.txt"
if [ -s "$W/diff.txt" ]; then
	sed 's/^/FAIL: commands: /' "$W/diff.txt" >&2
	exit 1
fi
echo "PASS: commands ($(grep -c . "$W/table.tsv") commands and settings: the man page agrees with help)"
