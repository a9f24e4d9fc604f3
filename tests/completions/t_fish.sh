#!/bin/bash
# completions/ferry.fish in an interactive fish (--no-config, which also
# keeps fish from autoloading any other ferry.fish; the file sourced; no
# autosuggestions), driven in tmux: the options listed for
# `ferry -` are those `ferry --help` lists, the line after a Tab holds what
# it should, and the candidates listed are exactly those expected.
set -e
. "$(dirname "$0")/complib.sh"
c_init "$@"
sh_require fish
SH_LIST=since
sh_start 'FISH> ' "$SH_BIN" --no-config -C "
	set -g fish_greeting
	set -g fish_autosuggestion_enabled 0
	function fish_prompt; echo -n 'FISH> '; end
	source $(printf %q "$SRC/completions/ferry.fish")"

sh_check_options

# Schemes: those of ferry --help, and the bookmarks' URLs (with their
# names as descriptions).
sh_tab 'ferry '
sh_expect_list "${HELP_SCHEMES[@]}" ftp://anna@10.0.0.7:2121/pub \
	nntp://alpha.example.org/ferry.test nntps://news.example.org/comp.lang.c
sh_tab 'ferry ftp:'
sh_expect_line 'ferry ftp://'
sh_expect_list ftp:// ftp://anna@10.0.0.7:2121/pub

# Hosts after SCHEME://.
hosts=()
for h in "${FIXTURE_HOSTS[@]}"; do hosts+=("ftp://$h"); done
sh_tab 'ferry ftp://'
sh_expect_list "${hosts[@]}"
sh_tab 'ferry ftp://al'
sh_expect_line 'ferry ftp://alpha.example.org '
sh_tab 'ferry nntps://anna@ne'
sh_expect_line 'ferry nntps://anna@news.example.org '

# A bookmark's name, through the description fish matches too.
sh_tab 'ferry labn'
sh_expect_line 'ferry nntp://alpha.example.org/ferry.test '
sh_tab 'ferry lab'
sh_expect_list ftp://anna@10.0.0.7:2121/pub nntp://alpha.example.org/ferry.test

sh_check_files
c_pass
