#!/bin/bash
# completions/ferry.bash in an interactive bash (its own rc file only),
# driven in tmux: what readline makes of the candidates, ':' splitting the
# word included (`ferry ftp:<Tab>` gives `ferry ftp://`).  Twice: the file
# sourced by hand without the bash-completion package, and, when that is
# installed, found by its loader where `cmake --install` puts the file
# (XDG_DATA_DIRS/bash-completion/completions/ferry).
set -e
. "$(dirname "$0")/complib.sh"
c_init "$@"
sh_require bash

SH_LIST=last
BC=/usr/share/bash-completion/bash_completion

run_cases() {
	# Not the machine's compat completions (some change COMP_WORDBREAKS).
	sh_start 'BASH> ' XDG_DATA_DIRS="$W/share" BASH_COMPLETION_COMPAT_DIR="$W/none" "$SH_BIN" --noprofile --rcfile "$W/bashrc" -i

	sh_check_options 2

	# ':' splits the word for readline, the completion copes.
	sh_tab 'ferry ftp:'
	sh_expect_line 'ferry ftp://'
	sh_tab 'ferry ftp://al'
	sh_expect_line 'ferry ftp://alpha.example.org '
	sh_tab 'ferry nntps://anna@ne'
	sh_expect_line 'ferry nntps://anna@news.example.org '
	sh_tab 'ferry ftp://' 2
	sh_expect_list "${LISTED_HOSTS[@]}"

	# Bookmarks: a name becomes its URL; several names, their common start.
	sh_tab 'ferry labn'
	sh_expect_line 'ferry nntp://alpha.example.org/ferry.test '
	sh_tab 'ferry lab'
	sh_expect_line 'ferry ftp://anna@10.0.0.7:2121/pub '
	sh_tab 'ferry l'
	sh_expect_line 'ferry lab'

	sh_check_files 2
	tm kill-server
}

# Readline lists the hosts as the candidates are: after the ':'.
LISTED_HOSTS=()
for h in "${FIXTURE_HOSTS[@]}"; do LISTED_HOSTS+=("//$h"); done

MODE=plain
printf '%s\n' "PS1='BASH> '" ". $(printf %q "$SRC/completions/ferry.bash")" > "$W/bashrc"
run_cases
plain=$N_CHECKS
if [ -r "$BC" ]; then
	MODE=bash-completion
	mkdir -p "$W/share/bash-completion/completions"
	ln -s "$SRC/completions/ferry.bash" "$W/share/bash-completion/completions/ferry"
	printf '%s\n' "PS1='BASH> '" ". $BC" > "$W/bashrc"
	run_cases
	echo "with and without bash-completion: $plain checks each"
else
	echo "NOTE: $BC is not installed: checked without bash-completion only"
fi
c_pass
