/* ftpshim.c - an LD_PRELOAD shim for the test suite's pure-ftpd (see
 * srv-pureftpd.sh), built at start-up into the run dir.  Test-only.
 *
 *  bind()      a bind to a TCP port below 1024 fails with EACCES.  pure-ftpd
 *              running as root sources active-mode data connections from
 *              port 20; with this it falls back to an ephemeral port, like
 *              the other servers (tests/servers/README.md).
 *  getpwnam()  FERRY_SHIM_HOMES="user=/dir:user2=/dir2" replaces the home
 *              directory of those users, so the suite's pure-ftpd serves its
 *              own folders to "ftp" (anonymous) and "ferrytest" without
 *              changing the system's accounts.  Read once at load time.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_HOMES 8

static struct {
	char user[64];
	char dir[4096];
} homes[MAX_HOMES];
static int n_homes;

__attribute__((constructor)) static void shim_init(void)
{
	const char *s = getenv("FERRY_SHIM_HOMES");
	while (s && *s && n_homes < MAX_HOMES) {
		const char *eq = strchr(s, '=');
		const char *end = strchr(s, ':');
		if (!end)
			end = s + strlen(s);
		if (eq && eq < end && (size_t)(eq - s) < sizeof homes[0].user &&
		    (size_t)(end - eq - 1) < sizeof homes[0].dir) {
			memcpy(homes[n_homes].user, s, (size_t)(eq - s));
			memcpy(homes[n_homes].dir, eq + 1, (size_t)(end - eq - 1));
			n_homes++;
		}
		s = *end ? end + 1 : end;
	}
}

int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	static int (*real_bind)(int, const struct sockaddr *, socklen_t);
	unsigned port = 0;

	if (!real_bind)
		real_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
	if (sa && sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		port = ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
	else if (sa && sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
		port = ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	if (port > 0 && port < 1024) {
		errno = EACCES;
		return -1;
	}
	return real_bind(fd, sa, len);
}

struct passwd *getpwnam(const char *name)
{
	static struct passwd *(*real_getpwnam)(const char *);
	static struct passwd copy;
	struct passwd *pw;
	int i;

	if (!real_getpwnam)
		real_getpwnam = (struct passwd * (*)(const char *)) dlsym(RTLD_NEXT, "getpwnam");
	pw = real_getpwnam(name);
	if (!pw || !name)
		return pw;
	for (i = 0; i < n_homes; i++) {
		if (strcmp(homes[i].user, name) == 0) {
			copy = *pw;
			copy.pw_dir = homes[i].dir;
			return &copy;
		}
	}
	return pw;
}
