/* main.c - the composition root: the protocols ferry speaks, and the
 * command line (doc/ferry.1, OPTIONS). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "ftp.h"
#include "nntp.h"
#include "proto.h"
#include "redact.h"
#include "shell.h"

static void usage(FILE *f)
{
	fputs("usage: ferry [options] [URL...]\n"
	      "  -c 'CMDS'   run commands (separated by ';' or newlines), then exit\n"
	      "  -f FILE     run commands from FILE, then exit\n"
	      "  -d          protocol trace to stderr (passwords masked)\n"
	      "  -k          batch mode: keep going after a failing command\n"
	      "  --no-rc     skip the rc file\n"
	      "  --version   print the version\n"
	      "  --help      this help\n"
	      "URLs: ftp:// ftpes:// ftps:// nntp:// news:// nntps:// snews:// news:GROUP\n",
	      f);
}

/* ps and /proc/PID/cmdline show our arguments for the whole run: the
 * shell gets copies, and the passwords in the originals (URLs, -c) are
 * overwritten in place.  The copies are heap; free_copies() frees them. */
static void hide_passwords(struct shell_opts *o, char *commands)
{
	char **urls = xcalloc((size_t)o->nurls + 1, sizeof(*urls));

	for (int i = 0; i < o->nurls; i++) {
		urls[i] = xstrdup(o->urls[i]);
		redact_mask_url(o->urls[i]);
	}
	o->urls = urls;
	if (commands) {
		o->commands = xstrdup(commands);
		redact_mask_line(commands);
	}
}

static void free_copies(struct shell_opts *o)
{
	for (int i = 0; i < o->nurls; i++)
		free(o->urls[i]);
	free(o->urls);
	free((char *)o->commands);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "no-rc", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct shell_opts o = { 0 };
	char *commands = NULL;
	int c, status;

	opterr = 0; /* our own one-line message */
	while ((c = getopt_long(argc, argv, "c:f:dkh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (commands) /* only the last -c runs; hide the others too */
				redact_mask_line(commands);
			commands = optarg;
			break;
		case 'f':
			o.file = optarg;
			break;
		case 'd':
			o.trace = true;
			break;
		case 'k':
			o.keep_going = true;
			break;
		case 'R':
			o.no_rc = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("ferry %s\n", FERRY_VERSION);
			return 0;
		default:
			fprintf(stderr, "ferry: unknown option or missing argument: %s "
			        "(try 'ferry --help')\n", argv[optind - 1]);
			return 2;
		}
	}
	if (commands && o.file) {
		fputs("ferry: -c and -f exclude each other\n", stderr);
		return 2;
	}
	o.urls = argv + optind;
	o.nurls = argc - optind;
	hide_passwords(&o, commands);
	proto_register(&ftp_proto);
	proto_register(&nntp_proto);
	status = shell_main(&o);
	free_copies(&o);
	return status;
}
