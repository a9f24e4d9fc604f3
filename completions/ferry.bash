# bash completion for ferry(1): options, and URL schemes for arguments.
_ferry()
{
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	-f)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	-c)
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '-c -f -d -k --no-rc --version --help' -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -W 'ftp:// ftpes:// ftps:// nntp:// news:// nntps:// snews:// news:' -- "$cur"))
	compopt -o nospace 2>/dev/null
}
complete -F _ferry ferry
