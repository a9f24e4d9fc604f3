#!/bin/bash
# install-deps.sh - install what ferry's build and test suite need on Debian 12,
# as root.  Idempotent: when everything is present it asks apt nothing and
# returns in a fraction of a second.
#
#   install-deps.sh [--servers]    (--servers: also the FTP/NNTP servers)
#
# INN's postinst refuses to configure when the host name has no domain; the
# fix (SERVERS.md) is `domain: localdomain` in /etc/news/inn.conf followed by
# `dpkg --configure -a`.  INNCONF must not be visible to maintainer scripts.
set -euo pipefail
unset INNCONF

want_servers=0
[ "${1:-}" = "--servers" ] && want_servers=1

pkgs=(cmake make gcc pkg-config libreadline-dev libgnutls28-dev gnutls-bin
      libcunit1-dev zlib1g-dev python3 tmux ca-certificates valgrind clang
      libclang-rt-14-dev)
[ $want_servers = 1 ] && pkgs+=(vsftpd inn2 curl openssl)

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
exit 0
