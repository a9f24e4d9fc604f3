/* config.c - the settings table and typed access to it. */
#define _GNU_SOURCE /* FNM_CASEFOLD */
#include "config.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"

enum type { T_INT, T_BOOL, T_ENUM, T_STR, T_SHA256 };

struct setting {
	const char *name;
	enum type type;
	const char *def;
	const char *choices;  /* T_ENUM: "a|b|c"; T_INT: "min|max" */
	const char *help;
};

/* The single source for `set`, its completion and the man page. */
static const struct setting table[] = {
	{ "net:timeout", T_INT, "60", "1|86400",
	  "seconds without progress before a command fails" },
	{ "net:keepalive", T_INT, "60", "0|86400",
	  "seconds between keepalives on an idle connection (0: none)" },
	/* 4: browsing plus three transfers at once, under the per-address
	 * limits servers commonly set (vsftpd and pure-ftpd users often
	 * allow 2 to 5); a refused extra connection lowers it for the site. */
	{ "net:connection-limit", T_INT, "4", "1|64",
	  "control connections per session at most (jobs beyond wait)" },
	{ "net:idle", T_INT, "180", "1|86400",
	  "seconds an extra connection of a session may stay unused" },
	{ "ftp:tls", T_ENUM, "auto", "auto|require|off",
	  "TLS for ftp:// URLs: auto (when offered), require, off" },
	{ "ftp:passive", T_BOOL, "on", NULL,
	  "passive data connections (EPSV, then PASV); off: active (EPRT, PORT)" },
	{ "ftp:cache-ttl", T_INT, "60", "0|86400",
	  "seconds a directory listing is kept for cls and completion (0: not kept)" },
	{ "nntp:tls", T_ENUM, "auto", "auto|require|off",
	  "STARTTLS for nntp:// URLs: auto (when offered), require, off" },
	{ "nntp:from", T_STR, "", NULL,
	  "From: of articles composed with post and followup (default: \"$NAME <$USER@HOST>\")" },
	{ "nntp:auth-first", T_BOOL, "off", NULL,
	  "AUTHINFO at login even when CAPABILITIES does not list it (off: then on a 480)" },
	{ "nntp:pipeline", T_INT, "4", "1|64",
	  "NNTP requests sent before their replies come, at most (OVER ranges; 1: none)" },
	{ "nntp:compress", T_BOOL, "on", NULL,
	  "COMPRESS DEFLATE when the news server offers it (after TLS and login)" },
	{ "tls:ca-file", T_STR, "", NULL,
	  "extra trusted CA certificates (PEM), besides the system's" },
	{ "tls:min-version", T_ENUM, "1.2", "1.0|1.1|1.2|1.3",
	  "oldest TLS version accepted (1.0 and 1.1 only for old servers, with a warning)" },
	{ "tls:fingerprint", T_SHA256, "", NULL,
	  "trust this certificate besides the CAs, for the next session opened" },
	{ "tls:pin", T_SHA256, "", NULL,
	  "the certificate of the next session opened must have this SHA-256 fingerprint" },
	{ "xfer:clobber", T_BOOL, "off", NULL,
	  "overwrite existing local files on download" },
	{ "xfer:progress", T_ENUM, "auto", "auto|on|off",
	  "progress line and summary of transfers: auto (when standard output and error are terminals), on, off" },
	{ "xfer:retries", T_INT, "3", "0|100",
	  "times a download cut by the network is resumed where it stopped (0: never)" },
	{ "xfer:rate-limit", T_INT, "0", "0|10485760",
	  "KiB/s each FTP transfer may move at most, up or down (0: no limit)" },
};
#define NSETTINGS (sizeof(table) / sizeof(table[0]))

/* `set NAME/HOST VALUE`: a value for the sessions whose host matches
 * HOST (a shell pattern, case ignored). */
struct override {
	int idx;
	char *host;
	char *value;
};

struct config {
	char *value[NSETTINGS];        /* the root's; NULL in a view */
	/* A session's view (config_view_new): the root's values, overridden
	 * for its host. */
	const struct config *root;
	char *host;
	/* The root's overrides, in the order set (the last match wins). */
	struct override *ov;
	size_t nov;
};

static int find(const char *name)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (strcmp(table[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int parse_bool(const char *v)
{
	static const char *yes[] = { "on", "yes", "true", "1" };
	static const char *no[] = { "off", "no", "false", "0" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

struct config *config_new(void)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	for (size_t i = 0; i < NSETTINGS; i++)
		cfg->value[i] = xstrdup(table[i].def);
	return cfg;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < NSETTINGS; i++)
		free(cfg->value[i]);
	for (size_t i = 0; i < cfg->nov; i++) {
		free(cfg->ov[i].host);
		free(cfg->ov[i].value);
	}
	free(cfg->ov);
	free(cfg->host);
	free(cfg);
}

struct config *config_view_new(const struct config *root, const char *host)
{
	struct config *v = xcalloc(1, sizeof(*v));
	v->root = root->root ? root->root : root;
	v->host = xstrdup(host);
	return v;
}

/* A SHA-256 fingerprint as 64 hex digits, or as 32 pairs separated by
 * ':', case ignored, into the form certificate messages show
 * ("AB:CD:..."); "" stays "" (no fingerprint).  NULL if malformed: a typo
 * found here is better than a certificate refused at the next open. */
static char *normalise_sha256(const char *v)
{
	size_t n = strlen(v), i, step;
	char *out, *w;

	if (!n)
		return xstrdup("");
	if (n == 64)
		step = 2;
	else if (n == 32 * 3 - 1)
		step = 3;
	else
		return NULL;
	out = w = xmalloc(32 * 3);
	for (i = 0; i < n; i += step) {
		if (!isxdigit((unsigned char)v[i]) || !isxdigit((unsigned char)v[i + 1]) ||
		    (step == 3 && i + 2 < n && v[i + 2] != ':')) {
			free(out);
			return NULL;
		}
		if (w != out)
			*w++ = ':';
		*w++ = (char)toupper((unsigned char)v[i]);
		*w++ = (char)toupper((unsigned char)v[i + 1]);
	}
	*w = '\0';
	return out;
}

/* The reason for a refused value names what is allowed; it lives here
 * until the next refusal (one thread, one message at a time). */
static char why_buf[160];

/* Validate and normalise v for setting i; returns a heap string or NULL. */
static char *normalise(int i, const char *v, const char **why)
{
	const struct setting *s = &table[i];
	switch (s->type) {
	case T_INT: {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		long min = strtol(s->choices, NULL, 10);
		long max = strtol(strchr(s->choices, '|') + 1, NULL, 10);
		if (errno || end == v || *end || n < min || n > max) {
			snprintf(why_buf, sizeof(why_buf), "expected a number from %ld to %ld",
			         min, max);
			*why = why_buf;
			return NULL;
		}
		return xasprintf("%ld", n);
	}
	case T_BOOL: {
		int b = parse_bool(v);
		if (b < 0) {
			*why = "expected on or off";
			return NULL;
		}
		return xstrdup(b ? "on" : "off");
	}
	case T_ENUM: {
		size_t len = strlen(v);
		for (const char *c = s->choices; *c;) {
			const char *bar = strchr(c, '|');
			size_t clen = bar ? (size_t)(bar - c) : strlen(c);
			if (clen == len && strncasecmp(c, v, len) == 0)
				return xstrndup(c, clen);
			c += clen + (bar ? 1 : 0);
		}
		/* "expected one of: auto, require, off" */
		size_t w = (size_t)snprintf(why_buf, sizeof(why_buf), "expected one of: ");
		for (const char *c = s->choices; *c && w + 3 < sizeof(why_buf); c++) {
			if (*c == '|') {
				why_buf[w++] = ',';
				why_buf[w++] = ' ';
			} else {
				why_buf[w++] = *c;
			}
		}
		why_buf[w] = '\0';
		*why = why_buf;
		return NULL;
	}
	case T_STR:
		if (strpbrk(v, "\r\n")) {
			*why = "line breaks are not allowed";
			return NULL;
		}
		return xstrdup(v);
	case T_SHA256: {
		char *r = normalise_sha256(v);
		if (!r)
			*why = "expected a SHA-256 fingerprint: 64 hex digits, "
			       "optionally in pairs separated by ':'";
		return r;
	}
	}
	return NULL;
}

/* NAME/HOST: a per-host override of setting i. */
static int set_override(struct config *cfg, int i, const char *host, const char *value,
                        const char **why)
{
	if (!*host || strpbrk(host, " \t\r\n/")) {
		*why = "expected NAME/HOST, the host a name or a pattern like *.example.org";
		return ERR_USAGE;
	}
	if (table[i].type == T_SHA256) {
		*why = "taken by the next open, not per host: set it before `open`";
		return ERR_USAGE;
	}
	char *v = normalise(i, value, why);
	if (!v)
		return ERR_USAGE;
	for (size_t k = 0; k < cfg->nov; k++)
		if (cfg->ov[k].idx == i && strcasecmp(cfg->ov[k].host, host) == 0) {
			free(cfg->ov[k].value);
			cfg->ov[k].value = v;
			return 0;
		}
	cfg->ov = xrealloc(cfg->ov, (cfg->nov + 1) * sizeof(*cfg->ov));
	cfg->ov[cfg->nov++] = (struct override){ i, xstrdup(host), v };
	return 0;
}

int config_set(struct config *cfg, const char *name, const char *value,
               const char **why)
{
	const char *slash = strchr(name, '/');
	char *base = slash ? xstrndup(name, (size_t)(slash - name)) : NULL;
	int i = find(base ? base : name);
	free(base);
	if (i < 0) {
		*why = "unknown setting (`set` lists them)";
		return ERR_USAGE;
	}
	if (cfg->root) {
		*why = "a session's settings are set on the shell's";
		return ERR_USAGE;
	}
	if (slash)
		return set_override(cfg, i, slash + 1, value, why);
	char *v = normalise(i, value, why);
	if (!v)
		return ERR_USAGE;
	free(cfg->value[i]);
	cfg->value[i] = v;
	return 0;
}

static const char *get(const struct config *cfg, const char *name)
{
	int i = find(name);
	assert(i >= 0 && "unknown setting name");
	if (i < 0)
		return "";
	if (!cfg->root)
		return cfg->value[i];
	const struct config *r = cfg->root;
	for (size_t k = r->nov; k-- > 0;)
		if (r->ov[k].idx == i && fnmatch(r->ov[k].host, cfg->host, FNM_CASEFOLD) == 0)
			return r->ov[k].value;
	return r->value[i];
}

const char *config_override_nth(const struct config *cfg, size_t k, const char **host,
                                const char **value)
{
	if (cfg->root || k >= cfg->nov)
		return NULL;
	*host = cfg->ov[k].host;
	*value = cfg->ov[k].value;
	return table[cfg->ov[k].idx].name;
}

long config_int(const struct config *cfg, const char *name)
{
	return strtol(get(cfg, name), NULL, 10);
}

bool config_bool(const struct config *cfg, const char *name)
{
	return parse_bool(get(cfg, name)) == 1;
}

const char *config_str(const struct config *cfg, const char *name)
{
	return get(cfg, name);
}

const char *config_name(int i)
{
	return i >= 0 && (size_t)i < NSETTINGS ? table[i].name : NULL;
}

const char *config_help(int i)
{
	return i >= 0 && (size_t)i < NSETTINGS ? table[i].help : NULL;
}

const char *config_default(int i)
{
	return i >= 0 && (size_t)i < NSETTINGS ? table[i].def : NULL;
}

const char *config_value_text(const struct config *cfg, const char *name)
{
	return get(cfg, name);
}

char *config_take(struct config *cfg, const char *name)
{
	int i = find(name);
	if (i < 0 || cfg->root || !cfg->value[i][0])
		return NULL;
	char *v = cfg->value[i];
	cfg->value[i] = xstrdup("");
	return v;
}
