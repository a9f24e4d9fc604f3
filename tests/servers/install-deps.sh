#!/bin/bash
# install-deps.sh - install what ferry's build and test suite need on Debian 12,
# as root.  Idempotent: when everything is present it asks apt nothing and
# returns in a fraction of a second.
#
#   install-deps.sh [--servers]    (--servers: also the FTP/NNTP servers;
#                                  pure-ftpd and proftpd are unpacked into
#                                  /opt/ferry-test-servers, not installed)
#
# INN's postinst refuses to configure when the host name has no domain; the
# fix (tests/servers/README.md) is `domain: localdomain` in
# /etc/news/inn.conf followed by `dpkg --configure -a`.  INNCONF must not be
# visible to maintainer scripts.
set -euo pipefail
unset INNCONF

want_servers=0
[ "${1:-}" = "--servers" ] && want_servers=1

pkgs=(cmake make gcc pkg-config libreadline-dev libgnutls28-dev gnutls-bin
      libcunit1-dev zlib1g-dev python3 tmux ca-certificates valgrind clang
      libclang-rt-14-dev zsh fish bash-completion groff-base
      # The Debian package's test (tests/package): cpack's dpkg-shlibdeps
      # and file, and man to read the installed page.
      dpkg-dev file man-db)
[ $want_servers = 1 ] && pkgs+=(vsftpd inn2 curl openssl
	# The libraries of the unpacked pure-ftpd and proftpd (below).
	libsodium23 libcap2 libpam0g libssl3 libacl1 libidn2-0 libhiredis0.14
	libmemcached11 libmemcachedutil2 libpcre2-posix3 libncursesw6)

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

inn_conf_fix() {
	# Give INN's postinst a domain so it can finish configuring.
	mkdir -p /etc/news
	if [ -f /etc/news/inn.conf ]; then
		if ! grep -Eq '^[[:space:]]*domain:[[:space:]]*[^[:space:]]' /etc/news/inn.conf; then
			if grep -Eq '^[[:space:]]*#?[[:space:]]*domain:' /etc/news/inn.conf; then
				sed -i -E 's/^[[:space:]]*#?[[:space:]]*domain:.*/domain:                localdomain/' /etc/news/inn.conf
			else
				echo 'domain:                localdomain' >> /etc/news/inn.conf
			fi
		fi
	fi
}

inn_half_configured() {
	dpkg-query -W -f='${db:Status-Status}' inn2 2>/dev/null | grep -Eq 'half-configured|unpacked|half-installed'
}
finish_inn() {
	if [ $want_servers = 1 ] && inn_half_configured; then
		inn_conf_fix
		DEBIAN_FRONTEND=noninteractive dpkg --configure -a
	fi
}

# pure-ftpd and proftpd both Conflict with vsftpd (ftp-server): apt installs
# only one, so their Debian packages are unpacked (dpkg-deb -x, no maintainer
# scripts) into FTPD_ROOT, where srv-pureftpd.sh and srv-proftpd.sh find them.
FTPD_ROOT=${FERRY_FTPD_ROOT:-/opt/ferry-test-servers}
FTPD_DEBS=(pure-ftpd proftpd-core proftpd-mod-crypto)
ftpds_present() {
	[ -x "$FTPD_ROOT/usr/sbin/pure-ftpd" ] && [ -x "$FTPD_ROOT/usr/sbin/proftpd" ] &&
		[ -f "$FTPD_ROOT/usr/lib/proftpd/mod_tls.so" ] && [ -f "$FTPD_ROOT/.debs" ]
}
unpack_ftpds() {
	ftpds_present && return 0
	local tmp attempt
	tmp=$(mktemp -d)
	chmod 755 "$tmp"   # apt-get download fetches as user _apt
	getent passwd _apt >/dev/null && chown _apt "$tmp"
	for attempt in 1 2; do
		[ $attempt = 2 ] && apt-get -o DPkg::Lock::Timeout=900 update
		echo "install-deps: downloading ${FTPD_DEBS[*]} to unpack into $FTPD_ROOT" >&2
		(cd "$tmp" && apt-get -o DPkg::Lock::Timeout=900 download "${FTPD_DEBS[@]}") && break
	done
	local n
	n=$(find "$tmp" -maxdepth 1 -name '*.deb' | wc -l)
	if [ "$n" != ${#FTPD_DEBS[@]} ]; then
		rm -rf "$tmp"
		echo "install-deps: could not download ${FTPD_DEBS[*]}" >&2
		exit 1
	fi
	rm -rf "$FTPD_ROOT.new"
	mkdir -p "$FTPD_ROOT.new"
	local d
	for d in "$tmp"/*.deb; do
		dpkg-deb -x "$d" "$FTPD_ROOT.new"
		basename "$d" >> "$FTPD_ROOT.new/.debs"
	done
	rm -rf "$tmp" "$FTPD_ROOT"
	mv "$FTPD_ROOT.new" "$FTPD_ROOT"
	chmod 755 "$FTPD_ROOT"
}

# A half-configured inn2 from an earlier run: fix and finish it.
finish_inn

still_missing() {
	local p out=()
	for p in "${pkgs[@]}"; do
		installed "$p" || out+=("$p")
	done
	echo "${out[*]}"
}

if [ -n "$(still_missing)" ]; then
	export DEBIAN_FRONTEND=noninteractive
	# Keep maintainer scripts from starting daemons (vsftpd on port 21,
	# innd): the suite runs its own.  Only when no policy is in place.
	made_policy=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	trap 'if [ $made_policy = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi' EXIT
	aptq=(-o DPkg::Lock::Timeout=900 -o Dpkg::Options::=--force-confdef
	      -o Dpkg::Options::=--force-confold)
	for attempt in 1 2; do
		read -r -a missing <<<"$(still_missing)"
		[ ${#missing[@]} -gt 0 ] || break
		# Package lists missing or stale on a fresh machine: refresh, retry.
		[ $attempt = 2 ] && apt-get "${aptq[@]}" update
		echo "install-deps: installing ${missing[*]}" >&2
		# inn2's postinst fails here on a host without a domain: finish_inn.
		apt-get "${aptq[@]}" install -y --no-install-recommends "${missing[@]}" || true
		finish_inn
	done
	read -r -a missing <<<"$(still_missing)"
	if [ ${#missing[@]} -gt 0 ]; then
		echo "install-deps: could not install ${missing[*]}" >&2
		exit 1
	fi
fi
[ $want_servers = 1 ] && unpack_ftpds
exit 0
