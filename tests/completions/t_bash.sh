#!/bin/bash
# completions/ferry.bash driven as bash drives it: COMP_WORDS (the line
# split as bash splits it, at blanks and at the characters of
# COMP_WORDBREAKS such as ':'), COMP_CWORD, COMP_LINE and COMP_POINT set,
# then _ferry called; COMPREPLY must hold exactly the candidates expected,
# in the form readline gets them (after a ':' or '@' only what follows).
# Every case runs twice: without the bash-completion package, and with it
# loaded when it is installed (its _filedir is then used).
set -e
. "$(dirname "$0")/complib.sh"
c_init "$@"

# comp LINE [POINT]: complete at POINT (default: the end of LINE); GOT is
# the sorted COMPREPLY, OPTS what the function asked of compopt.
comp() {
	local line=$1 word='' i ch err
	COMP_WORDS=()
	for ((i = 0; i < ${#line}; i++)); do
		ch=${line:i:1}
		if [[ $ch == [[:blank:]] ]]; then
			[ -n "$word" ] && COMP_WORDS+=("$word")
			word=
		elif [[ $COMP_WORDBREAKS == *"$ch"* ]]; then
			# A run of break characters is a word of its own.
			if [ -n "$word" ] && [[ $COMP_WORDBREAKS != *"${word: -1}"* ]]; then
				COMP_WORDS+=("$word")
				word=
			fi
			word+=$ch
		else
			if [ -n "$word" ] && [[ $COMP_WORDBREAKS == *"${word: -1}"* ]]; then
				COMP_WORDS+=("$word")
				word=
			fi
			word+=$ch
		fi
	done
	COMP_WORDS+=("$word")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	# The cursor inside the last word: bash gives the whole word.
	COMP_LINE=$line
	COMP_POINT=${2:-${#line}}
	COMPREPLY=()
	OPTS=
	_ferry ferry "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2> "$W/stderr" ||
		c_fail "'$line': _ferry returned $?"
	err=$(cat "$W/stderr")
	[ -z "$err" ] || c_fail "'$line': the completion wrote on stderr: $err"
	GOT=$(c_sorted "${COMPREPLY[@]}")
}

# compopt outside a completion fails; record what was asked instead.
compopt() { local IFS=' '; OPTS+=" $*"; }

# expect LINE WORD...: completing at the end of LINE offers exactly WORDs.
expect() {
	local line=$1
	shift
	comp "$line"
	c_same "'$line'" "$GOT" "$(c_sorted "$@")"
}

# expect_nospace LINE / expect_space LINE: no space is (is) added after
# the candidate.
expect_nospace() {
	[[ $OPTS == *'-o nospace'* ]] || c_fail "'$1': no space should follow"
}
expect_space() {
	[[ $OPTS != *'-o nospace'* ]] || c_fail "'$1': a space should follow"
}

run_cases() {
	local hosts=() h
	# shellcheck disable=SC1091
	. "$SRC/completions/ferry.bash"
	[ "$(complete -p ferry)" = "complete -F _ferry ferry" ] ||
		c_fail "not registered for ferry: $(complete -p ferry 2>&1)"

	# Options: exactly those of ferry --help.
	expect 'ferry -' "${HELP_OPTS[@]}"
	local longs
	mapfile -t longs < <(printf '%s\n' "${HELP_OPTS[@]}" | grep -e '^--')
	expect 'ferry --' "${longs[@]}"
	expect 'ferry --v' --version
	# Each once; -c and -f exclude each other; stacked, glued, abbreviated.
	expect 'ferry -d -' -c -f -k --no-rc --version --help
	expect 'ferry -dk --no -' -c -f --version --help
	expect 'ferry -c ls -' -d -k --no-rc --version --help
	expect 'ferry -cls ftp://x -' -d -k --no-rc --version --help
	expect 'ferry -kf cmds -' -d --no-rc --version --help
	expect 'ferry ftp://x -d -' -c -f -k --no-rc --version --help
	# Nothing after --help or --version; after -- only URLs.
	expect 'ferry --help '
	expect 'ferry --vers -'
	expect 'ferry -- -'
	expect 'ferry -- ftp' ftp:// ftpes:// ftps://

	# The argument of -c is free text; that of -f a file.
	expect 'ferry -c '
	expect 'ferry -c -'
	cd "$W/files"
	expect 'ferry -f ' a.cmds b.cmds sub
	expect 'ferry -d -f a' a.cmds
	expect 'ferry -kf ' a.cmds b.cmds sub
	[[ $OPTS == *'-o filenames'* ]] || c_fail "-f: not completed as file names"
	cd "$W"

	# Schemes, exactly those of ferry --help; no space after one.
	expect 'ferry ' "${HELP_SCHEMES[@]}" lab labnews news-box
	expect 'ferry ftp' ftp:// ftpes:// ftps://
	expect_nospace 'ferry ftp'
	expect 'ferry nntp' nntp:// nntps://
	# ':' splits the word for bash: readline replaces what follows it.
	expect 'ferry ftp:' //
	expect_nospace 'ferry ftp:'
	expect 'ferry -d snews:' //

	# Hosts after SCHEME://, from ~/.netrc and the bookmarks.
	for h in "${FIXTURE_HOSTS[@]}"; do hosts+=("//$h"); done
	expect 'ferry ftp://' "${hosts[@]}"
	expect 'ferry nntps://' "${hosts[@]}"
	expect 'ferry ftp://al' //alpha.example.org
	expect_space 'ferry ftp://al'
	expect 'ferry ftp://10' //10.0.0.7:2121
	# '@' breaks words while hostcomplete is on (bash-completion turns it
	# off); readline then replaces from the '@' on.
	if [[ $COMP_WORDBREAKS == *@* ]]; then
		expect 'ferry ftp://anna@b' @beta.example.net
		expect 'ferry ftp://a:p@g' @gamma.example.com
	else
		expect 'ferry ftp://anna@b' //anna@beta.example.net
		expect 'ferry ftp://a:p@g' p@gamma.example.com
	fi
	expect 'ferry ftp://not' 
	expect 'ferry ftp://alpha.example.org/'
	# The last word only: the URL before is left alone.
	expect 'ferry ftp://alpha.example.org nntp://d' //delta.example.org

	# Bookmarks: a name, or the start of one name only, becomes its URL;
	# several names are words to go on with.
	expect 'ferry lab' ftp://anna@10.0.0.7:2121/pub
	expect_space 'ferry lab'
	expect 'ferry labn' nntp://alpha.example.org/ferry.test
	expect 'ferry news-' nntps://news.example.org/comp.lang.c
	expect 'ferry l' lab labnews
	expect_nospace 'ferry l'
	expect 'ferry news' news:// news-box
	expect 'ferry x'
	# The cursor inside a word: what is before it counts.
	comp 'ferry labnXY' 10
	c_same "'ferry labn|XY'" "$GOT" nntp://alpha.example.org/ferry.test

	# Without ':' and '@' in COMP_WORDBREAKS the word is whole.
	local wb=$COMP_WORDBREAKS
	COMP_WORDBREAKS=${COMP_WORDBREAKS//[:@]/}
	expect 'ferry ftp:' ftp://
	expect 'ferry ftp://be' ftp://beta.example.net
	expect 'ferry ftp://u@be' ftp://u@beta.example.net
	COMP_WORDBREAKS=$wb

	# $NETRC wins over ~/.netrc (as for ferry); empty, it does not count.
	printf 'machine other.example.org\n' > "$W/other-netrc"
	NETRC=$W/other-netrc expect 'ferry ftp://' //other.example.org \
		//10.0.0.7:2121 //alpha.example.org //news.example.org
	NETRC='' expect 'ferry ftp://' "${hosts[@]}"
	# XDG_CONFIG_HOME counts only as an absolute path, as for ferry.
	mkdir -p "$HOME/.config/ferry"
	echo 'home ftp://home.example.org/' > "$HOME/.config/ferry/bookmarks"
	XDG_CONFIG_HOME=config expect 'ferry h' ftp://home.example.org/
	XDG_CONFIG_HOME='' expect 'ferry h' ftp://home.example.org/
	rm -r "$HOME/.config"
	# No netrc and no bookmarks: schemes only, and no noise.
	HOME=$W/nothing XDG_CONFIG_HOME=$W/nothing expect 'ferry ftp://'
	HOME=$W/nothing XDG_CONFIG_HOME=$W/nothing expect 'ferry ' "${HELP_SCHEMES[@]}"
}

# bash's own value (with hostcomplete on, as it is by default).
COMP_WORDBREAKS=$' \t\n"\'@><=;|&(:'
MODE=plain
run_cases
BC=/usr/share/bash-completion/bash_completion
if [ -r "$BC" ]; then
	MODE=bash-completion
	# Not the machine's compat completions (some change COMP_WORDBREAKS).
	BASH_COMPLETION_COMPAT_DIR=$W/none
	# shellcheck disable=SC1090
	. "$BC"
	declare -F _filedir > /dev/null || c_fail "$BC has no _filedir"
	[[ $COMP_WORDBREAKS != *@* ]] || c_fail "bash-completion left '@' in COMP_WORDBREAKS"
	run_cases
else
	echo "NOTE: $BC is not installed: checked without bash-completion only"
fi
c_pass
