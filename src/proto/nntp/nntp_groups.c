/* nntp_groups.c - group names for Tab: the server's active list, kept in
 * memory per site and on disk per server ($XDG_CACHE_HOME/ferry/
 * active-HOST[+PORT], one name a line), fetched in the background with
 * LIST ACTIVE on a connection of the site's pool: when there is no list
 * yet (the completion lands when it arrives, if the line is unchanged),
 * and when the one there is older than a day (it serves meanwhile).
 */
#include "nntp_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "ev.h"
#include "log.h"
#include "newsrc.h"
#include "session.h"
#include "xdg.h"

#define GROUPS_MAX (1 << 20)            /* names kept */
#define GROUPS_STALE_S (24 * 3600)      /* refreshed after a day */

struct ngroups {
	char **v;
	size_t n, cap;
	bool loaded;
	int64_t when;                /* time(NULL) of the list */
	struct gfetch *fetch;
};

struct gfetch {
	struct session *site;
	struct session_lease *lease;
	struct session *c;
	struct nreq *rq;
	struct ngroups got;
	void (*ready)(void *arg);
	void *arg;
};

static void names_clear(struct ngroups *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i]);
	free(g->v);
	g->v = NULL;
	g->n = g->cap = 0;
}

static int names_add(struct ngroups *g, const char *p, size_t len)
{
	if (!nntp_group_valid(p, len))
		return 0;  /* not a name: skipped, never stored */
	if (g->n >= GROUPS_MAX)
		return ERR_TOOLONG;
	if (g->n + 1 >= g->cap) {
		g->cap = g->cap ? g->cap * 2 : 256;
		g->v = xrealloc(g->v, g->cap * sizeof(char *));
	}
	g->v[g->n++] = xstrndup(p, len);
	return 0;
}

/* The cache file of s's server, or NULL. */
static char *cache_path(struct session *s)
{
	char *name = newsrc_file_name(s->host, s->port);
	if (!name)
		return NULL;
	/* ".newsrc-HOST[+PORT]": the part after the dash names the server. */
	const char *dash = strchr(name, '-');
	char *leaf = xasprintf("active-%s", dash ? dash + 1 : name);
	char *p = xdg_path("XDG_CACHE_HOME", ".cache", leaf);
	free(leaf);
	free(name);
	return p;
}

static void cache_load(struct session *site, struct ngroups *g)
{
	char *path = cache_path(site);
	FILE *f = path ? fopen(path, "re") : NULL;
	struct stat st;
	if (f && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		while ((n = getline(&line, &cap, f)) > 0) {
			if (line[n - 1] == '\n')
				n--;
			if (names_add(g, line, (size_t)n) < 0)
				break;
		}
		free(line);
		g->loaded = true;
		g->when = (int64_t)st.st_mtime;
	}
	if (f)
		fclose(f);
	free(path);
}

/* Written whole under a temporary name, then renamed: a reader never sees
 * half a list. */
static void cache_save(struct session *site, const struct ngroups *g)
{
	char *path = cache_path(site);
	if (!path)
		return;
	xdg_mkdirs_for(path);
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	FILE *f = fopen(tmp, "we");
	bool ok = f != NULL;
	for (size_t i = 0; ok && i < g->n; i++)
		ok = fprintf(f, "%s\n", g->v[i]) > 0;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok || rename(tmp, path) < 0) {
		log_note(site->name, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(path);
}

static void gfetch_free(struct gfetch *gf)
{
	struct nntp *sn = gf->site->pdata;
	if (sn->groups && sn->groups->fetch == gf)
		sn->groups->fetch = NULL;
	if (gf->lease)
		session_lease_cancel(gf->lease);
	if (gf->rq)
		nreq_cancel(gf->rq);
	if (gf->c)
		session_release(gf->c);
	names_clear(&gf->got);
	free(gf);
}

static int gf_line(void *arg, const char *line, size_t len)
{
	struct gfetch *gf = arg;
	return names_add(&gf->got, line, strcspn(line, " \t") < len ?
	                 strcspn(line, " \t") : len);
}

static void gf_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct gfetch *gf = rq->arg;
	struct nntp *sn = gf->site->pdata;
	struct ngroups *g = sn->groups;
	void (*ready)(void *) = gf->ready;
	void *arg = gf->arg;
	bool first = !g->loaded;

	gf->rq = NULL;
	if (err < 0 || r->code != 215) {
		log_note(gf->site->name, "group list for completion: %s",
		         err < 0 ? err_str(err) : "refused");
		gfetch_free(gf);
		return;
	}
	names_clear(g);
	*g = gf->got;
	g->fetch = NULL;
	memset(&gf->got, 0, sizeof(gf->got));
	g->loaded = true;
	g->when = (int64_t)time(NULL);
	cache_save(gf->site, g);
	gfetch_free(gf);
	if (first && ready)
		ready(arg);
}

static void gf_leased(struct session *c, int err, void *arg)
{
	struct gfetch *gf = arg;
	gf->lease = NULL;
	if (err) {
		gfetch_free(gf);
		return;
	}
	gf->c = c;
	session_touch(c);
	struct nntp *n = c->pdata;
	gf->rq = nreq_send(n, n->legacy ? "LIST" : "LIST ACTIVE", NR_AUTH_RETRY, gf_done,
	                   gf, gf_line, &err);
	if (!gf->rq)
		gfetch_free(gf);
}

void nntp_groups_free(struct nntp *n)
{
	if (!n->groups)
		return;
	if (n->groups->fetch)
		gfetch_free(n->groups->fetch);
	names_clear(n->groups);
	free(n->groups);
	n->groups = NULL;
}

char **nntp_complete(struct session *s, char letter, const char *word,
                     void (*ready)(void *arg), void *arg)
{
	struct session *site = session_site(s);
	struct nntp *sn = site->pdata;

	if (letter != 'g')
		return NULL;
	if (!sn->groups) {
		sn->groups = xcalloc(1, sizeof(*sn->groups));
		cache_load(site, sn->groups);
	}
	struct ngroups *g = sn->groups;
	bool stale = !g->loaded || (int64_t)time(NULL) - g->when > GROUPS_STALE_S;
	if (stale && !g->fetch) {
		struct gfetch *gf = xcalloc(1, sizeof(*gf));
		gf->site = site;
		gf->ready = ready;
		gf->arg = arg;
		g->fetch = gf;
		gf->lease = session_acquire(site, gf_leased, gf);
	}
	if (!g->loaded)
		return NULL;
	size_t n = 0, cap = 16, wl = strlen(word);
	char **v = xmalloc(cap * sizeof(char *));
	for (size_t i = 0; i < g->n; i++) {
		if (strncmp(g->v[i], word, wl) != 0)
			continue;
		if (n + 2 > cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(char *));
		}
		v[n++] = xstrdup(g->v[i]);
	}
	v[n] = NULL;
	if (!n) {
		free(v);
		return NULL;
	}
	return v;
}
