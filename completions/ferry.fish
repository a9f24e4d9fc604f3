# fish completion for ferry(1).
#
# The same rules as completions/ferry.bash (its header has them): options
# as `ferry --help` lists them, each once, -c and -f exclusive, nothing
# after --help or --version; URL schemes; after SCHEME://[USER@] the hosts
# of $NETRC (else ~/.netrc) and of the bookmarks.  Bookmarks:
# $XDG_CONFIG_HOME/ferry/bookmarks (~/.config/ferry/bookmarks), one
# `NAME URL` a line, `#` comments.
#
# A bookmark's name is the one thing done fish's way: the bookmarks' URLs
# are offered with `bookmark NAME` as their description, and fish (3.6)
# matches what was typed against a printed candidate's description as
# well as its text, so `ferry labn<Tab>` puts in the URL of the bookmark
# labnews, and `ferry lab<Tab>` lists those whose name holds `lab`.
# (A candidate that does not match what was typed is dropped by fish, so
# this is the only way to it; tests/completions checks it still works.)

# What may come after the words typed so far: `file` for the argument of
# -f (nothing for that of -c); else the options left, one a line, and `url`
# when a URL may come (not after --help or --version).
# The words are read as getopt_long reads them: stacked short options
# (-dk), an argument glued to its option (-cCMDS), a long option cut to an
# unambiguous prefix (--ver); after `--` only URLs.
function __ferry_state
    set -l seen
    set -l arg 0
    set -l longs --no-rc --version --help
    for w in (commandline -opc)[2..-1]
        if test $arg = 1
            set arg 0
            continue
        end
        switch $w
            case --
                echo url
                return
            case '--*'
                if contains -- $w $longs
                    set -a seen $w
                else
                    set -l hits
                    for l in $longs
                        test (string sub -l (string length -- $w) -- $l) = $w
                        and set -a hits $l
                    end
                    test (count $hits) = 1
                    and set -a seen $hits
                end
            case '-?*'
                for c in (string split '' -- (string sub -s 2 -- $w))
                    switch $c
                        case d k
                            set -a seen -$c
                        case c f
                            set -a seen -$c
                            string match -q -- "*$c" $w
                            and set arg 1
                            break
                        case '*'
                            break
                    end
                end
        end
    end
    if test $arg = 1
        string match -q -- '*f' $w; and echo file
        return
    end
    if contains -- --help $seen; or contains -- --version $seen
        return
    end
    for o in -c -f -d -k $longs
        contains -- $o $seen
        and continue
        test $o = -c; and contains -- -f $seen; and continue
        test $o = -f; and contains -- -c $seen; and continue
        echo $o
    end
    echo url
end

function __ferry_may
    contains -- $argv[1] (__ferry_state)
end

# The machine names of the netrc file ferry reads ($NETRC when set and not
# empty, else ~/.netrc); `default` has none, macdef bodies (up to an empty
# line) are skipped, a name may be quoted.
function __ferry_netrc_hosts
    set -l f ~/.netrc
    test -n "$NETRC"; and set f $NETRC
    test -f $f -a -r $f; or return 0
    set -l want
    set -l inmac 0
    while read -l line
        if test $inmac = 1
            string length -q -- (string trim -r -c \r -- $line)
            or set inmac 0
            continue
        end
        for tok in (string match -ar '\S+' -- $line)
            set tok (string trim -c '"' -- $tok)
            switch "$want"
                case machine
                    echo $tok
                case macdef
                    set inmac 1
            end
            if test -n "$want"
                set want
                test $inmac = 1; and break
                continue
            end
            contains -- $tok machine macdef login password account
            and set want $tok
        end
    end < $f
end

# The bookmarks, as NAME and URL lines in turn (XDG_CONFIG_HOME counts
# only as an absolute path, as for ferry).
function __ferry_bookmarks
    set -l dir $XDG_CONFIG_HOME
    string match -q '/*' -- "$dir"; or set dir ~/.config
    test -r $dir/ferry/bookmarks; or return 0
    while read -l name url rest
        string match -q '#*' -- $name; and continue
        set url (string trim -r -c \r -- $url)
        test -n "$name" -a -n "$url"; and printf '%s\n' $name $url
    end < $dir/ferry/bookmarks
end

# Hosts after SCHEME://[USER@] (netrc machines, the bookmarks' hosts with
# their port), else the schemes and the bookmarks' URLs.
function __ferry_urls
    set -l tok (commandline -ct)
    set -l bm (__ferry_bookmarks)
    if string match -qr '^[a-z]+://[^/]*$' -- $tok
        set -l pre (string match -r '^[a-z]+://(?:.*@)?' -- $tok)
        for h in (__ferry_netrc_hosts)
            echo $pre$h
        end
        for i in (seq 2 2 (count $bm))
            set -l url $bm[$i]
            string match -q '*://*' -- $url; or continue
            set url (string split -f1 / -- (string replace -r '^[^:]*://' '' -- $url))
            echo $pre(string replace -r '.*@' '' -- $url)
        end
        return
    end
    printf '%s\tURL scheme\n' ftp:// ftpes:// ftps:// nntp:// news:// nntps:// snews://
    for i in (seq 1 2 (count $bm))
        printf '%s\tbookmark %s\n' $bm[(math $i + 1)] $bm[$i]
    end
end

complete -c ferry -f
complete -c ferry -n '__ferry_may -c' -s c -d "run commands (separated by ';' or newlines), then exit"
complete -c ferry -n '__ferry_may -f' -s f -d 'run commands from FILE, then exit'
complete -c ferry -n '__ferry_may -d' -s d -d 'protocol trace to stderr (passwords masked)'
complete -c ferry -n '__ferry_may -k' -s k -d 'batch mode: keep going after a failing command'
complete -c ferry -n '__ferry_may --no-rc' -l no-rc -d 'skip the rc file'
complete -c ferry -n '__ferry_may --version' -l version -d 'print the version'
complete -c ferry -n '__ferry_may --help' -l help -d 'print a short usage'
complete -c ferry -n '__ferry_may url' -a '(__ferry_urls)'
# The arguments of -c and -f: the options' own entries above are off once
# the option is on the line, so these say it (__ferry_state).
complete -c ferry -n '__ferry_may file' -F
