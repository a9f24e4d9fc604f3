# bash completion for ferry(1)                             -*- shell-script -*-
#
# Completes ferry's options (the set `ferry --help` lists; the tests compare
# the two) and its URL arguments: the schemes, then hosts from the netrc
# file ferry reads and from the bookmarks file; a bookmark's name turns into
# its URL.  completions/_ferry (zsh) keeps the same rules, and so does
# completions/ferry.fish but for the last two (fish's way is in its header):
#   - an option is offered once; -c and -f exclude each other; nothing
#     follows --help or --version; after `--` every word is a URL;
#   - `SCHEME://[USER@]PARTIAL` completes hosts: the `machine` names of
#     $NETRC (else ~/.netrc) and the hosts of the bookmarks' URLs;
#   - any other word completes the SCHEME:// schemes (not news:GROUP: a
#     group is free text) and bookmark names;
#   - a word that is a bookmark's name, or the start of only one name and
#     of no scheme, becomes that bookmark's URL.
# Bookmarks: $XDG_CONFIG_HOME/ferry/bookmarks (~/.config/ferry/bookmarks),
# one `NAME URL` a line, `#` comments (lftp's format).
#
# It needs nothing but bash 4.  The one helper of the bash-completion
# package it uses, when that is loaded, is _filedir (file names for -f);
# the words split at ':' and '@' are joined again by hand, for
# bash-completion's own helpers would leave `ftp://user@host` split at '@'.

# _ferry_scan WORD...: read the words typed before the current one (not
# the command name) as getopt_long does, and set in the caller:
#   left   the options that may still come (see the top), in order
#   arg    c or f when the current word is that option's argument
#   state  stop after --help or --version (nothing follows), urls after --
# Stacked short options (-dk), an argument glued to its option (-cCMDS)
# and a long option cut to an unambiguous prefix (--ver) count.
_ferry_scan()
{
	local -A seen=()
	local w o l i n
	left=() arg='' state=''
	for w in "$@"; do
		if [[ -n $arg ]]; then
			arg=
			continue
		fi
		case $w in
		--)
			state=urls
			break
			;;
		--*)
			o='' n=0
			for l in --no-rc --version --help; do
				if [[ $l == "$w" ]]; then
					o=$l n=1
					break
				fi
				[[ $l == "$w"* ]] && o=$l n=$((n + 1))
			done
			((n == 1)) && seen[$o]=1
			;;
		-?*)
			for ((i = 1; i < ${#w}; i++)); do
				case ${w:i:1} in
				[dk]) seen[-${w:i:1}]=1 ;;
				[cf])
					seen[-${w:i:1}]=1
					((i == ${#w} - 1)) && arg=${w:i:1}
					break
					;;
				*) break ;;
				esac
			done
			;;
		esac
	done
	if [[ -n ${seen[--help]-}${seen[--version]-} ]]; then
		state=stop
		return
	fi
	for o in -c -f -d -k --no-rc --version --help; do
		[[ -n ${seen[$o]-} ]] && continue
		[[ $o == -c && -n ${seen[-f]-} ]] && continue
		[[ $o == -f && -n ${seen[-c]-} ]] && continue
		left+=("$o")
	done
}

# The netrc file ferry reads: $NETRC when set and not empty, else ~/.netrc.
# Prints its machine names, one a line (`default` has none; macdef bodies,
# up to an empty line, are skipped; a name may be quoted).
_ferry_netrc_hosts()
{
	local f=${NETRC:-$HOME/.netrc} line tok want='' inmac=0
	local -a toks
	[[ -r $f && -f $f ]] || return
	while IFS= read -r line || [[ -n $line ]]; do
		if ((inmac)); then
			[[ $line == '' || $line == $'\r' ]] && inmac=0
			continue
		fi
		read -r -a toks <<< "$line"
		for tok in "${toks[@]}"; do
			tok=${tok#\"}
			tok=${tok%\"}
			case $want in
			machine) printf '%s\n' "$tok" ;;
			macdef) inmac=1 ;;
			esac
			if [[ -n $want ]]; then
				want=
				((inmac)) && break
				continue
			fi
			case $tok in
			machine | macdef | login | password | account) want=$tok ;;
			esac
		done
	done < "$f"
}

# The bookmarks, one `NAME URL` a line (ferry's bookmarks file, where
# XDG_CONFIG_HOME counts only as an absolute path, as for ferry).
_ferry_bookmarks()
{
	local dir=${XDG_CONFIG_HOME-} name url rest
	[[ $dir == /* ]] || dir=$HOME/.config
	[[ -r $dir/ferry/bookmarks ]] || return
	while read -r name url rest || [[ -n $name ]]; do
		[[ -z $name || $name == \#* ]] && continue
		url=${url%$'\r'}
		[[ -n $url ]] && printf '%s %s\n' "$name" "$url"
	done < "$dir/ferry/bookmarks"
}

# Hosts for SCHEME://: netrc machines and the hosts (with the port) of the
# bookmarks' URLs, without repeats.
_ferry_hosts()
{
	local -A seen=()
	local h name url
	while read -r h; do
		[[ -z $h || -n ${seen[$h]-} ]] && continue
		seen[$h]=1
		printf '%s\n' "$h"
	done < <(
		_ferry_netrc_hosts
		_ferry_bookmarks | while read -r name url; do
			[[ $url == *://* ]] || continue
			url=${url#*://}
			url=${url%%/*}
			printf '%s\n' "${url##*@}"
		done
	)
}

# COMPREPLY for a URL word: hosts after SCHEME://, else schemes, bookmark
# names and (for a name, see the top) a bookmark's URL.
_ferry_urls()
{
	local cur=$1 pre part h name url q exact=''
	local -a names=() urls=()
	if [[ $cur =~ ^[a-z]+://([^/]*)$ ]]; then
		part=${BASH_REMATCH[1]}
		pre=${cur%"$part"}
		if [[ $part == *@* ]]; then
			pre+=${part%@*}@
			part=${part##*@}
		fi
		while read -r h; do
			[[ $h == "$part"* ]] && COMPREPLY+=("$pre$h")
		done < <(_ferry_hosts)
		return
	fi
	for h in ftp:// ftpes:// ftps:// nntp:// news:// nntps:// snews://; do
		[[ $h == "$cur"* ]] && COMPREPLY+=("$h")
	done
	while read -r name url; do
		[[ $name == "$cur"* ]] || continue
		printf -v q '%q' "$url"
		[[ $name == "$cur" ]] && exact=$q
		names+=("$name")
		urls+=("$q")
	done < <(_ferry_bookmarks)
	if [[ -n $exact ]]; then
		COMPREPLY=("$exact")
	elif ((${#names[@]} == 1 && ${#COMPREPLY[@]} == 0)); then
		COMPREPLY=("${urls[0]}")
	else
		COMPREPLY+=("${names[@]}")
		# A name is still a word to go on with (Tab again gives its URL).
		((${#names[@]})) && compopt -o nospace 2>/dev/null
	fi
}

_ferry()
{
	local cur words cword i c line piece n
	COMPREPLY=()
	# bash splits the line at the characters of COMP_WORDBREAKS, ':' and
	# '@' among them, so `ftp://anna@ho` comes as five words: join the
	# pieces that touch in the line (as bash-completion's
	# `_get_comp_words_by_ref -n :@` would), up to the cursor.
	words=("${COMP_WORDS[@]}")
	cword=$COMP_CWORD
	line=${COMP_LINE:0:COMP_POINT}
	piece=${words[cword]}
	for ((n = ${#piece}; n > 0; n--)); do
		[[ $line == *"${piece:0:n}" ]] && break
	done
	cur=${piece:0:n}
	while ((cword > 1)) && [[ $cur == [:@]* || ${words[cword - 1]} == *[:@] ]] &&
		[[ $line == *"${words[cword - 1]}$cur" ]]; do
		cur=${words[cword - 1]}$cur
		words=("${words[@]:0:cword - 1}" "$cur" "${words[@]:cword + 1}")
		((cword--))
	done

	local -a left
	local arg state
	_ferry_scan "${words[@]:1:cword - 1}"
	if [[ $state == stop || $arg == c ]]; then
		return
	elif [[ $arg == f ]]; then
		if declare -F _filedir > /dev/null; then
			_filedir
		else
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi
	elif [[ $cur == -* && $state != urls ]]; then
		for c in "${left[@]}"; do
			[[ $c == "$cur"* ]] && COMPREPLY+=("$c")
		done
	else
		_ferry_urls "$cur"
		for c in "${COMPREPLY[@]}"; do
			[[ $c == */ ]] && compopt -o nospace 2>/dev/null
		done
	fi

	# Readline puts a candidate in place of what follows the last ':' of
	# the word (as bash-completion's __ltrim_colon_completions knows), or
	# of what begins with its last '@' (bash keeps an '@' in the word it
	# completes, for host names; '@' breaks words only while the shell
	# option hostcomplete is on, and bash-completion turns it off).
	local breaks=${COMP_WORDBREAKS//[^:@]/} keep
	if [[ -n $breaks && $cur == *["$breaks"]* ]]; then
		keep=${cur%"${cur##*["$breaks"]}"}
		keep=${keep%@}
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=${COMPREPLY[i]#"$keep"}
		done
	fi
	return 0
}
complete -F _ferry ferry
