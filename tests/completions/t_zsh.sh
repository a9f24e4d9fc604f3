#!/bin/bash
# completions/_ferry in an interactive zsh (zsh -f: no rc file; compinit
# on an fpath holding completions/), driven in tmux: the options listed
# for `ferry -` are those `ferry --help` lists, the line after a Tab holds
# what it should, and the candidates listed are exactly those expected.
set -e
. "$(dirname "$0")/complib.sh"
c_init "$@"
sh_require zsh
SH_LIST=since
sh_start 'ZSH> ' PS1='ZSH> ' "$SH_BIN" -f
sh_do "fpath=($(printf %q "$SRC/completions") \$fpath); autoload -Uz compinit; compinit -u -D"

sh_check_options

# Schemes: those of ferry --help, and bookmark names (with their URLs as
# descriptions).
sh_tab 'ferry '
sh_expect_list "${HELP_SCHEMES[@]}" lab labnews news-box
sh_tab 'ferry ftp:'
sh_expect_line 'ferry ftp://'

# Hosts after SCHEME://: listed without the scheme, put in with a space
# that goes when a port or a path is typed.
sh_tab 'ferry ftp://'
sh_expect_list "${FIXTURE_HOSTS[@]}"
sh_tab 'ferry ftp://al'
sh_expect_line 'ferry ftp://alpha.example.org '
pty_type ':21'
sh_expect_line 'ferry ftp://alpha.example.org:21'
sh_tab 'ferry nntps://anna@ne'
sh_expect_line 'ferry nntps://anna@news.example.org '

# A bookmark's name becomes its URL.
sh_tab 'ferry labn'
sh_expect_line 'ferry nntp://alpha.example.org/ferry.test '
sh_tab 'ferry lab'
sh_expect_line 'ferry ftp://anna@10.0.0.7:2121/pub '

sh_check_files
c_pass
